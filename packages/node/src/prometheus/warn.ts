import { diag } from '@opentelemetry/api';

/** Keys told to diag already (bounded: a service that makes names up must not grow this). */
const warned = new Set<string>();

/** `diag.warn(message)` the first time `key` is seen. */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  if (warned.size < 1000) warned.add(key);
  diag.warn(message);
}

/** Where core's family grouping tells why a metric is left out of /metrics. */
export function warnFamily(key: string, message: string): void {
  warnOnce(key, `@inferometer/node: ${message}`);
}
