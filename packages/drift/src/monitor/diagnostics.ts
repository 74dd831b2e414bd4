import { diag } from '@opentelemetry/api';

/** Each distinct failure is reported once; the set is bounded (style: "Instrumentation never breaks the host"). */
const MAX_KEYS = 256;
const reported = new Set<string>();

/** Reports our own failure through OpenTelemetry's `diag`, once per `where`. @internal */
export function reportError(where: string, err: unknown): void {
  if (reported.has(where) || reported.size >= MAX_KEYS) return;
  reported.add(where);
  diag.error(`@inferometer/drift: internal failure in ${where}; predictions were not affected`, err);
}

/** `diag.warn` once per key. @internal */
export function warnOnce(key: string, message: string): void {
  if (reported.has(key) || reported.size >= MAX_KEYS) return;
  reported.add(key);
  diag.warn(message);
}
