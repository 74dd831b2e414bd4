import { diag } from '@opentelemetry/api';

/**
 * Our own failures go to OpenTelemetry's `diag`, never into the user's code,
 * and never as a log line per call: each distinct key is reported once.
 * The set of keys is bounded so that a pathological stream of distinct keys
 * cannot grow memory (style: "Instrumentation never breaks the host").
 */
const MAX_KEYS = 1024;
const reported = new Set<string>();

/** Logs `message` with `diag.warn` the first time `key` is seen. @internal */
export function warnOnce(key: string, message: string): void {
  if (remember(key)) diag.warn(message);
}

/** Reports an internal failure with `diag.error`, once per `where`. @internal */
export function reportInternalError(where: string, err: unknown): void {
  if (remember(`error:${where}`)) {
    diag.error(`@inferometer/core: internal failure in ${where}; the prediction was not affected`, err);
  }
}

function remember(key: string): boolean {
  if (reported.has(key) || reported.size >= MAX_KEYS) return false;
  reported.add(key);
  return true;
}
