import { diag } from '@opentelemetry/api';
import { runtime } from './runtime.js';

/**
 * Our own failures go to OpenTelemetry's `diag`, never into the user's code,
 * and never as a log line per call: each distinct key is reported once.
 * The memory of reported keys is bounded, so a pathological stream of
 * distinct keys cannot grow memory. One instance lives on the runtime owner
 * (see runtime.ts) and is shared with the sibling packages through
 * `@inferometer/core/internal`, so an ESM and a CJS copy of a package loaded
 * in one process still report a failure once.
 *
 * @internal
 */
export class OnceReporter {
  private readonly _reported = new Set<string>();

  constructor(private readonly _maxKeys = 1024) {}

  /** True the first time `key` is seen (and while the memory has room). */
  first(key: string): boolean {
    if (this._reported.has(key) || this._reported.size >= this._maxKeys) return false;
    this._reported.add(key);
    return true;
  }

  /** `diag.warn(message)` the first time `key` is seen. */
  warn(key: string, message: string): void {
    if (this.first(key)) diag.warn(message);
  }

  /** `diag.error(message, err)` the first time `key` is seen. */
  error(key: string, message: string, err: unknown): void {
    if (this.first(key)) diag.error(message, err);
  }
}

/** Logs `message` with `diag.warn` the first time `key` is seen. @internal */
export function warnOnce(key: string, message: string): void {
  runtime().diag.warn(key, message);
}

/** Reports an internal failure with `diag.error`, once per `where`. @internal */
export function reportInternalError(where: string, err: unknown): void {
  runtime().diag.error(`error:${where}`, `@inferometer/core: internal failure in ${where}; the prediction was not affected`, err);
}
