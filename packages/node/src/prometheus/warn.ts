import { runtime } from '@inferometer/core/internal';

/**
 * `diag.warn(message)` the first time `key` is seen, through the runtime's one
 * bounded report-once memory (core's OnceReporter), shared with every other
 * once-only warning of the process.
 */
export function warnOnce(key: string, message: string): void {
  runtime().diag.warn(`@inferometer/node:exposition:${key}`, message);
}

/** Where core's family grouping tells why a metric is left out of /metrics. */
export function warnFamily(key: string, message: string): void {
  warnOnce(key, `@inferometer/node: ${message}`);
}
