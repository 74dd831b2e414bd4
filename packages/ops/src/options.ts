/**
 * Options shared by the generators (rules, dashboard, Alertmanager config)
 * and their validation. A wrong value fails at once with an error naming the
 * option (or, from the CLI, the flag) and what it accepts (style rule 4:
 * throw only for explicit bad configuration, at construction).
 */

/** Thrown for a bad option or flag; the message names it and the accepted values. */
export class OpsConfigError extends Error {
  override readonly name = 'OpsConfigError';
}

/** Thresholds the alerts fire at and the dashboard draws as threshold lines. */
export interface AlertThresholds {
  /**
   * p99 prediction latency, in seconds, above which `ModelLatencyP99High` fires.
   * @example 0.5
   */
  readonly latencyP99Seconds: number;
  /**
   * Share of failed predictions (0 to 1) above which `ModelErrorRatioHigh` fires.
   * @example 0.01
   */
  readonly errorRatio: number;
  /**
   * Drift score above which `ModelDataDriftHigh` and `ModelPredictionDriftHigh`
   * fire. The default, 0.25, is the conventional "significant shift" band of
   * PSI; KS and Jensen-Shannon scores live in [0, 1] too.
   * @example 0.25
   */
  readonly driftScore: number;
}

/** The defaults of issue 7: p99 above 500 ms, errors above 1 %, drift above 0.25. */
export const DEFAULT_THRESHOLDS: AlertThresholds = Object.freeze({
  latencyP99Seconds: 0.5,
  errorRatio: 0.01,
  driftScore: 0.25,
});

/** How long a condition must hold before an alert fires, unless overridden. */
export const DEFAULT_FOR = '5m';

/**
 * Default `job` regex that identifies the model servers' scrape targets (used
 * by the `up`-based alerts and the scrape-health panels). The stack in
 * examples/stack names its job `inferometer`.
 */
export const DEFAULT_JOB = 'inferometer';

/** Options every generator that selects the model servers' targets takes. */
export interface TargetOptions {
  /**
   * Regular expression (RE2, anchored by Prometheus) matching the `job` label
   * of the model servers' scrape targets.
   * @example 'inferometer|iris-.*'
   */
  readonly job?: string;
}

// Prometheus duration syntax (model.ParseDuration): units from largest to
// smallest, each at most once, e.g. 1h30m, 90s, 500ms.
const DURATION = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;

/** A Prometheus duration such as `5m`, `90s` or `1h30m`; `name` is the option or flag. */
export function checkDuration(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || !DURATION.test(value)) {
    throw new OpsConfigError(`${name}=${JSON.stringify(value)}: expected a Prometheus duration such as 30s, 5m or 1h30m (units ms, s, m, h, d, w, y)`);
  }
  return value;
}

/** A number in the open interval (min, max); numbers given as text (from the CLI) are read. */
export function checkNumber(name: string, value: unknown, min: number, max: number, example: string): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number) || number <= min || number >= max) {
    const range = max === Number.POSITIVE_INFINITY ? `greater than ${min}` : `greater than ${min} and less than ${max}`;
    throw new OpsConfigError(`${name}=${JSON.stringify(value)}: expected a number ${range}, e.g. ${example}`);
  }
  return number;
}

/** An http(s) URL. */
export function checkUrl(name: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new OpsConfigError(`${name}=${JSON.stringify(value)}: expected an http:// or https:// URL, e.g. http://localhost:9464/metrics`);
  }
  return value as string;
}

/** A regular expression for a label matcher; quotes are escaped when it is written into PromQL. */
export function checkRegex(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new OpsConfigError(`${name}=${JSON.stringify(value)}: expected a non-empty regular expression matching job names, e.g. inferometer`);
  }
  try {
    new RegExp(value);
  } catch (err) {
    throw new OpsConfigError(`${name}=${JSON.stringify(value)}: not a valid regular expression (${(err as Error).message})`);
  }
  return value;
}

/** The thresholds with defaults filled in and each value checked; `names` maps each to its option or flag name. */
export function resolveThresholds(
  given: Partial<AlertThresholds>,
  names: Record<keyof AlertThresholds, string> = { latencyP99Seconds: 'latencyP99Seconds', errorRatio: 'errorRatio', driftScore: 'driftScore' },
): AlertThresholds {
  return {
    latencyP99Seconds: checkNumber(names.latencyP99Seconds, given.latencyP99Seconds ?? DEFAULT_THRESHOLDS.latencyP99Seconds, 0, Number.POSITIVE_INFINITY, '0.5'),
    errorRatio: checkNumber(names.errorRatio, given.errorRatio ?? DEFAULT_THRESHOLDS.errorRatio, 0, 1, '0.01'),
    driftScore: checkNumber(names.driftScore, given.driftScore ?? DEFAULT_THRESHOLDS.driftScore, 0, Number.POSITIVE_INFINITY, '0.25'),
  };
}
