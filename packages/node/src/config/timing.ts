import { checkInteger, ConfigurationError, describeSource, option, readInteger, variable, type Environment } from './env.js';

/** Default push interval of periodic exporters (`OTEL_METRIC_EXPORT_INTERVAL`), in milliseconds. */
export const DEFAULT_EXPORT_INTERVAL_MILLIS = 60_000;
/** Default push timeout of periodic exporters (`OTEL_METRIC_EXPORT_TIMEOUT`), in milliseconds. */
export const DEFAULT_EXPORT_TIMEOUT_MILLIS = 30_000;

/** The interval and timeout options, as `start()` takes them. */
export interface TimingOptions {
  readonly exportIntervalMillis?: number;
  readonly exportTimeoutMillis?: number;
}

/**
 * Push interval and timeout for every periodic exporter: option, then
 * `OTEL_METRIC_EXPORT_INTERVAL` / `_TIMEOUT`, then the defaults. A timeout
 * the user set above the interval is refused; the default timeout is cut to
 * a short interval the user chose (a combination that came from defaults is
 * corrected, not refused).
 */
export function exportTiming(env: Environment, options: TimingOptions): { interval: number; timeout: number } {
  const max = 2 ** 31 - 1;
  const interval =
    options.exportIntervalMillis !== undefined
      ? checkInteger(option('exportIntervalMillis'), options.exportIntervalMillis, 1, max)
      : (readInteger(env, 'OTEL_METRIC_EXPORT_INTERVAL', 1, max) ?? DEFAULT_EXPORT_INTERVAL_MILLIS);
  const timeout =
    options.exportTimeoutMillis !== undefined
      ? checkInteger(option('exportTimeoutMillis'), options.exportTimeoutMillis, 1, max)
      : readInteger(env, 'OTEL_METRIC_EXPORT_TIMEOUT', 1, max);
  if (timeout === undefined) return { interval, timeout: Math.min(DEFAULT_EXPORT_TIMEOUT_MILLIS, interval) };
  if (timeout > interval) {
    const timeoutSource = options.exportTimeoutMillis !== undefined ? option('exportTimeoutMillis') : variable('OTEL_METRIC_EXPORT_TIMEOUT');
    const intervalSource = options.exportIntervalMillis !== undefined ? option('exportIntervalMillis') : variable('OTEL_METRIC_EXPORT_INTERVAL');
    throw new ConfigurationError(`${describeSource(timeoutSource)} (${timeout} ms) must not exceed ${describeSource(intervalSource)} (${interval} ms)`, {
      ...timeoutSource,
      accepted: `a whole number from 1 to the interval (${interval})`,
      related: [describeSource(intervalSource)],
      code: 'ERR_INFEROMETER_CONFLICTING_OPTIONS',
    });
  }
  return { interval, timeout };
}
