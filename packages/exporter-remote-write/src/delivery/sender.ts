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

/**
 * Most bytes of a response body read, for the log line of a failed request.
 * The rest is cancelled (the stream destroyed): a receiver, or a proxy before
 * it, that answers 500 with hundreds of MiB must not cost the exporter that
 * memory (reading a 300 MB body as text cost +1.2 GiB of RSS).
 */
export const MAX_ERROR_BODY_BYTES = 4096;

type Outcome = { kind: 'sent' } | { kind: 'retry'; after: number | undefined; reason: string } | { kind: 'rejected'; reason: string };

export class Delivery {
  private readonly queue: BoundedQueue;
  private running = false;
  private closed = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private idle: (() => void)[] = [];
  /** The loop in progress, so that close() can wait until it has counted the batch it held. */
  private loop: Promise<void> | undefined;
  /**
   * A flush gave up (its deadline passed) and no batch has left the queue
   * since. The SDK's reader calls forceFlush() and then shutdown(): waiting
   * the flush timeout a second time for the same stuck queue would make
   * shutdown take twice the documented bound.
   */
  private stalled = false;

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
      this.loop = this.run().catch((err: unknown) => diag.error('@inferometer/exporter-remote-write: delivery loop failed', err));
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
    if (!done) this.stalled = true;
    return done;
  }

  /**
   * Flushes until `deadline`, then stops: aborts the request in flight and
   * drops what is left, counted before this resolves. When a flush already
   * waited its whole timeout and nothing has left the queue since, it stops
   * at once.
   */
  async close(deadline: number): Promise<void> {
    const drained = await this.flush(this.stalled ? Date.now() : deadline);
    this.closed = true;
    this.abort.abort();
    this.wake?.();
    // The loop ends promptly once aborted; it counts the batch it held.
    await this.loop;
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
        if (outcome.kind !== 'retry') this.stalled = false;
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
          // Retry-After may lengthen the wait, never shorten it below the
          // backoff: `429` with `Retry-After: 0` made the exporter retry
          // 171-286 times a second. A longer Retry-After is honoured up to
          // maxRetryAfterMillis, so a receiver cannot stall delivery for a day.
          const backoff = backoffDelay(batch.attempts, this.config.minBackoffMillis, this.config.maxBackoffMillis);
          const delay = outcome.after === undefined ? backoff : Math.max(backoff, Math.min(outcome.after, this.config.maxRetryAfterMillis));
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
    const text = await readHead(response.body, MAX_ERROR_BODY_BYTES);
    const status = response.status;
    if (status >= 200 && status < 300) return { kind: 'sent' };
    const reason = `HTTP ${status}${text === '' ? '' : `: ${text.slice(0, 256)}`}`;
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

/**
 * The first `limit` bytes of a body as trimmed text (only ever for a log
 * line); the rest is cancelled, which destroys the connection's stream
 * instead of reading it. Never throws.
 */
async function readHead(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (body === null) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
    }
  } catch {
    // The body is only read for the log line.
  } finally {
    // Resolves at once; a body already read to its end is unaffected.
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks, length).subarray(0, limit).toString('utf8').trim();
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
