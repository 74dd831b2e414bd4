/** Retry timing: exponential backoff with jitter, and the `Retry-After` header. */

/**
 * Delay before retry number `attempt` (1 for the first retry): doubling from
 * `min` up to `max`, then "equal jitter" (half fixed, half random), so that
 * many replicas that failed together do not retry together.
 */
export function backoffDelay(attempt: number, minMillis: number, maxMillis: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMillis, minMillis * 2 ** Math.min(attempt - 1, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * `Retry-After` in milliseconds (RFC 9110 section 10.2.3: delay-seconds or an
 * HTTP-date), `undefined` when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
