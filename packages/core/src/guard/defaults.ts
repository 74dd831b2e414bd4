import { DEFAULT_UNBOUNDED_KEY_PATTERNS } from './patterns.js';

// Apart from config.ts so that the guard registry can read the defaults without an import cycle through the runtime.

/** The limits in force. @internal */
export interface GuardConfig {
  readonly maxValuesPerAttribute: number;
  readonly maxValuesPerKey: Readonly<Record<string, number>>;
  readonly maxSeriesPerMetric: number;
  readonly maxValueLength: number;
  readonly maxModels: number;
  readonly versionIdleSeconds: number;
  readonly unboundedKeyPatterns: readonly RegExp[];
}

/** Defaults of `GuardOptions`. */
export const GUARD_DEFAULTS: GuardConfig = {
  maxValuesPerAttribute: 100,
  maxValuesPerKey: {},
  maxSeriesPerMetric: 2000,
  maxValueLength: 64,
  maxModels: 1000,
  versionIdleSeconds: 900,
  unboundedKeyPatterns: DEFAULT_UNBOUNDED_KEY_PATTERNS,
};

