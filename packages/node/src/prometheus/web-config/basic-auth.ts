import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import bcrypt from 'bcryptjs';

/**
 * Verified credentials kept, so that a scrape every 15 s does not pay a
 * bcrypt comparison (about 55 ms at cost 10 with bcryptjs) each time. Like
 * exporter-toolkit's cache (web/cache.go), bounded; unlike it, only
 * successes are kept, so a client guessing passwords cannot evict them.
 */
export const MAX_CACHED_CREDENTIALS = 100;
/**
 * Most bcrypt comparisons running at once. Each costs tens of milliseconds
 * of the service's CPU; a flood of wrong passwords beyond this is answered
 * 429 without comparing (cached, known-good credentials are still served).
 */
export const MAX_PENDING_VERIFICATIONS = 4;

/**
 * Compared when the user is unknown, so that an unknown user takes as long
 * as a wrong password (exporter-toolkit does the same). bcrypt of a random
 * string at cost 10.
 */
const UNKNOWN_USER_HASH = '$2b$10$xqmxoQfZQHUUmjEwy1nhmeWzPY11ZWP/VZ3XwlJ3oz4HbnHrzxkja';

/** The result of checking a request's credentials. */
export type AuthResult = 'ok' | 'unauthorized' | 'busy';

/** HTTP basic auth (RFC 7617) against bcrypt hashes, with a bounded cache of verified credentials. */
export class BasicAuth {
  private readonly verified = new Map<string, true>();
  private readonly pending = new Map<string, Promise<boolean>>();
  /** bcrypt comparisons run so far (tests read it to see the cache work). */
  comparisons = 0;

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  /** Whether any user is configured (else every request passes). */
  get enabled(): boolean {
    return this.users.size > 0;
  }

  async check(request: IncomingMessage): Promise<AuthResult> {
    if (!this.enabled) return 'ok';
    const credentials = parseBasic(request.headers.authorization);
    if (credentials === undefined) return 'unauthorized';
    const hash = this.users.get(credentials.user);
    // The key never holds the password itself: a digest of user and password.
    const key = createHash('sha256').update(credentials.user).update('\0').update(credentials.password).digest('base64');
    if (hash !== undefined && this.verified.has(key)) return 'ok';
    let comparing = this.pending.get(key);
    if (comparing === undefined) {
      if (this.pending.size >= MAX_PENDING_VERIFICATIONS) return 'busy';
      this.comparisons++;
      // bcryptjs compares the computed and stored hashes in constant time.
      comparing = bcrypt.compare(credentials.password, hash ?? UNKNOWN_USER_HASH).then(
        (same) => same && hash !== undefined,
        () => false,
      );
      this.pending.set(key, comparing);
      void comparing.finally(() => this.pending.delete(key));
    }
    const ok = await comparing;
    if (ok) this.remember(key);
    return ok ? 'ok' : 'unauthorized';
  }

  private remember(key: string): void {
    if (this.verified.has(key)) return;
    // Oldest first out: Map keeps insertion order.
    if (this.verified.size >= MAX_CACHED_CREDENTIALS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, true);
  }
}

/** `Basic base64(user:password)`; `undefined` when absent or malformed. */
function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*basic\s+([A-Za-z0-9+/=]{1,8192})\s*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
