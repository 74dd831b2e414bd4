/**
 * Delivery of encoded requests: one request in flight at a time (samples of
 * a series must arrive in time order, remote_write_spec.md), retries with
 * backoff on 5xx, 429 and network errors, none on other 4xx.
 */
import { diag } from '@opentelemetry/api';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { BoundedQueue, type Batch, type QueueBounds } from './queue.js';

import { REMOTE_WRITE_DROP_REASONS, type RemoteWriteDropReason } from '../catalog.js';

export { REMOTE_WRITE_DROP_REASONS };
export type { RemoteWriteDropReason };

/** What the sender reports, for the self-metrics. */
export interface DeliveryEvents {
  sent(samples: number): void;
  retried(samples: number): void;
  dropped(samples: number, reason: RemoteWriteDropReason): void;
}

/** Settings of {@link Delivery}, already validated. */
export interface DeliveryConfig extends QueueBounds {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestTimeoutMillis: number;
  readonly minBackoffMillis: number;
  readonly maxBackoffMillis: number;
  readonly maxRetryAfterMillis: number;
}

type Outcome = { kind: 'sent' } | { kind: 'retry'; after: number | undefined; reason: string } | { kind: 'rejected'; reason: string };

export class Delivery {
  private readonly queue: BoundedQueue;
  private running = false;
  private closed = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private idle: (() => void)[] = [];

  constructor(
    private readonly config: DeliveryConfig,
    private readonly events: DeliveryEvents,
  ) {
    this.queue = new BoundedQueue(config);
  }

  /** Samples queued or in flight (the pending gauge). */
  get pendingSamples(): number {
    return this.queue.samples;
  }

  /** Queues request bodies and starts sending if idle. Never throws, never waits. */
  enqueue(batches: readonly Omit<Batch, 'attempts'>[]): void {
    for (const { body, samples } of batches) {
      for (const evicted of this.queue.push({ body, samples, attempts: 0 })) {
        this.events.dropped(evicted.samples, REMOTE_WRITE_DROP_REASONS.queueFull);
      }
    }
    if (!this.running && !this.closed && this.queue.length > 0) {
      this.running = true;
      // The loop catches everything it can meet; the catch here only makes
      // sure a bug can never become an unhandled rejection in the host.
      void this.run().catch((err: unknown) => diag.error('@inferometer/exporter-remote-write: delivery loop failed', err));
    }
  }

  /** Resolves true once everything queued was handled, false when `deadline` (epoch ms) passes first. */
  async flush(deadline: number): Promise<boolean> {
    if (!this.running || this.closed) return this.queue.length === 0;
    const drained = new Promise<boolean>((resolve) => this.idle.push(() => resolve(true)));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      timer.unref();
    });
    const done = await Promise.race([drained, late]);
    clearTimeout(timer);
    return done;
  }

  /** Flushes until `deadline`, then stops: aborts the request in flight and drops what is left. */
  async close(deadline: number): Promise<void> {
    const drained = await this.flush(deadline);
    this.closed = true;
    this.abort.abort();
    this.wake?.();
    if (!drained) {
      let left = 0;
      for (const batch of this.queue.drain()) left += batch.samples;
      if (left > 0) {
        this.events.dropped(left, REMOTE_WRITE_DROP_REASONS.shutdown);
        diag.warn(`@inferometer/exporter-remote-write: ${left} samples still queued at shutdown were dropped (deadline passed)`);
      }
    }
  }

  private async run(): Promise<void> {
    try {
      let batch = this.queue.take();
      while (batch !== undefined) {
        if (batch.attempts > 0) this.events.retried(batch.samples);
        const outcome = await this.send(batch);
        const stillOurs = this.queue.release(batch);
        if (outcome.kind === 'sent') {
          this.events.sent(batch.samples);
        } else if (outcome.kind === 'rejected') {
          this.events.dropped(batch.samples, REMOTE_WRITE_DROP_REASONS.rejected);
          diag.warn(`@inferometer/exporter-remote-write: ${this.config.url} refused ${batch.samples} samples (${outcome.reason}); not retried`);
        } else if (!stillOurs) {
          // Evicted for newer data while in flight, and this try failed.
          this.events.dropped(batch.samples, REMOTE_WRITE_DROP_REASONS.queueFull);
        } else if (this.closed) {
          this.events.dropped(batch.samples, REMOTE_WRITE_DROP_REASONS.shutdown);
        } else {
          batch.attempts++;
          const delay =
            outcome.after !== undefined
              ? Math.min(outcome.after, this.config.maxRetryAfterMillis)
              : backoffDelay(batch.attempts, this.config.minBackoffMillis, this.config.maxBackoffMillis);
          if (batch.attempts === 1 || batch.attempts % 10 === 0) {
            diag.info(`@inferometer/exporter-remote-write: ${outcome.reason}; retry ${batch.attempts} in ${Math.round(delay)} ms`);
          }
          // Back at the head while waiting: it keeps counting against the
          // bounds, and newer data can evict it.
          this.queue.unshift(batch);
          await this.sleep(delay);
        }
        // After close(), what is left was drained and counted there.
        if (this.closed) break;
        batch = this.queue.take();
      }
    } finally {
      this.running = false;
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
      // Something may have been queued while the last send was finishing.
      if (!this.closed && this.queue.length > 0) this.enqueue([]);
    }
  }

  private async send(batch: Batch): Promise<Outcome> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.config.requestTimeoutMillis)]);
    let response: Response;
    try {
      response = await fetch(this.config.url, {
        method: 'POST',
        headers: this.config.headers,
        body: batch.body,
        signal,
        // A redirected POST would turn into a GET; remote write URLs are exact.
        redirect: 'manual',
      });
    } catch (err) {
      return { kind: 'retry', after: undefined, reason: `request failed: ${errorMessage(err)}` };
    }
    let text = '';
    try {
      text = (await response.text()).slice(0, 256).trim();
    } catch {
      // The body is only read for the log line.
    }
    const status = response.status;
    if (status >= 200 && status < 300) return { kind: 'sent' };
    const reason = `HTTP ${status}${text === '' ? '' : `: ${text}`}`;
    // remote_write_spec.md: retry 5xx; do not retry 4xx, except 429 (MAY, with Retry-After).
    if (status >= 500 || status === 429) return { kind: 'retry', after: parseRetryAfter(response.headers.get('retry-after')), reason };
    return { kind: 'rejected', reason };
  }

  private sleep(millis: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, millis);
      // A retry wait never keeps the process alive on its own.
      timer.unref();
      this.wake = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
