/**
 * Delivery of encoded requests: one request in flight at a time (samples of
 * a series must arrive in time order, remote_write_spec.md), retries with
 * backoff on 5xx, 429 and network errors, none on other 4xx. Remote write
 * 2.0 requests fall back to 1.0 when the receiver cannot take them
 * (remote_write_spec_2_0.md, "Backward and forward compatibility").
 */
import { diag } from '@opentelemetry/api';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { BoundedQueue, type Batch, type QueueBounds } from './queue.js';

import { REMOTE_WRITE_DROP_REASONS, type RemoteWriteDropReason, type RemoteWriteProtocol } from '../catalog.js';

export { REMOTE_WRITE_DROP_REASONS };
export type { RemoteWriteDropReason };

/** What the sender reports, for the self-metrics. */
export interface DeliveryEvents {
  sent(samples: number, protocol: RemoteWriteProtocol): void;
  retried(samples: number, protocol: RemoteWriteProtocol): void;
  dropped(samples: number, reason: RemoteWriteDropReason, protocol: RemoteWriteProtocol): void;
}

/**
 * The `X-Prometheus-Remote-Write-*-Written` response headers a 2.0 receiver
 * MUST send (remote_write_spec_2_0.md, "Required Written Response Headers").
 */
export const WRITTEN_HEADERS = {
  samples: 'x-prometheus-remote-write-samples-written',
  histograms: 'x-prometheus-remote-write-histograms-written',
  exemplars: 'x-prometheus-remote-write-exemplars-written',
} as const;

/** What the receivers said they wrote and how the protocol went, for `stats()`. */
export interface DeliveryStats {
  /** The protocol requests go out in now: the configured one, or 1.0 after a fallback. */
  protocol: RemoteWriteProtocol;
  /** Times a 2.0 request was refused (415, or 2xx without `*-Written` headers) and re-sent as 1.0. */
  fallbacks: number;
  /** Sums of the receivers' `X-Prometheus-Remote-Write-{Samples,Histograms,Exemplars}-Written` (2.0 only). */
  samplesWritten: number;
  histogramsWritten: number;
  exemplarsWritten: number;
}

/** Settings of {@link Delivery}, already validated. */
export interface DeliveryConfig extends QueueBounds {
  readonly url: string;
  /** The protocol of the requests; with '2.0', 2.0 requests fall back to 1.0 on 415. Default '1.0'. */
  readonly protocol?: RemoteWriteProtocol;
  /** The 1.0 headers (protocol headers and authorization); 2.0 requests replace Content-Type and the version. */
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

type Outcome =
  | { kind: 'sent' }
  | { kind: 'retry'; after: number | undefined; reason: string }
  | { kind: 'rejected'; reason: string }
  /** A 2.0 request the receiver cannot take: 415, or 2xx without `*-Written` headers (treated as 415 by the spec). */
  | { kind: 'unsupported'; reason: string };

/** Content-Type and version of a 2.0 request (remote_write_spec_2_0.md, "Required headers"). */
const V2_PROTOCOL_HEADERS = {
  'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
  'X-Prometheus-Remote-Write-Version': '2.0.0',
} as const;

/** A batch as the encoder hands it over. */
export type Enqueued = Pick<Batch, 'body' | 'samples'> & Partial<Pick<Batch, 'protocol' | 'fallback'>>;

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
  /** Headers of a 2.0 request: the 1.0 ones with the 2.0 Content-Type and version. */
  private readonly v2Headers: Readonly<Record<string, string>>;
  readonly stats: DeliveryStats;

  constructor(
    private readonly config: DeliveryConfig,
    private readonly events: DeliveryEvents,
  ) {
    this.queue = new BoundedQueue(config);
    this.v2Headers = { ...config.headers, ...V2_PROTOCOL_HEADERS };
    this.stats = { protocol: config.protocol ?? '1.0', fallbacks: 0, samplesWritten: 0, histogramsWritten: 0, exemplarsWritten: 0 };
  }

  /** The protocol requests go out in now (1.0 after a fallback). */
  get protocol(): RemoteWriteProtocol {
    return this.stats.protocol;
  }

  /** Samples queued or in flight (the pending gauge). */
  get pendingSamples(): number {
    return this.queue.samples;
  }

  /** Samples queued or in flight in one protocol. */
  pendingIn(protocol: RemoteWriteProtocol): number {
    return this.queue.samplesIn(protocol);
  }

  /** Queues request bodies and starts sending if idle. Never throws, never waits. */
  enqueue(batches: readonly Enqueued[]): void {
    for (const { body, samples, protocol = '1.0', fallback } of batches) {
      for (const evicted of this.queue.push({ body, samples, protocol, fallback, attempts: 0 })) {
        this.events.dropped(evicted.samples, REMOTE_WRITE_DROP_REASONS.queueFull, evicted.protocol);
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
      for (const batch of this.queue.drain()) {
        left += batch.samples;
        this.events.dropped(batch.samples, REMOTE_WRITE_DROP_REASONS.shutdown, batch.protocol);
      }
      if (left > 0) {
        diag.warn(`@inferometer/exporter-remote-write: ${left} samples still queued at shutdown were dropped (deadline passed)`);
      }
    }
  }

  private async run(): Promise<void> {
    try {
      let batch = this.queue.take();
      while (batch !== undefined) {
        // Queued as 2.0 before a fallback: goes out as 1.0 (or is dropped, counted, when it cannot be re-encoded).
        if (batch.protocol === '2.0' && this.stats.protocol === '1.0' && !this.downgrade(batch)) {
          this.queue.release(batch);
          batch = this.queue.take();
          continue;
        }
        if (batch.attempts > 0) this.events.retried(batch.samples, batch.protocol);
        const outcome = await this.send(batch);
        if (outcome.kind === 'unsupported' && !this.closed) {
          // Still held (counted in the bounds): re-encoded as 1.0 and sent again at once, nothing lost.
          this.stalled = false;
          this.fallBack(outcome.reason);
          if (this.queue.release(batch)) this.queue.unshift(batch);
          else this.events.dropped(batch.samples, REMOTE_WRITE_DROP_REASONS.queueFull, batch.protocol);
          batch = this.queue.take();
          continue;
        }
        const stillOurs = this.queue.release(batch);
        if (outcome.kind !== 'retry') this.stalled = false;
        if (outcome.kind === 'sent') {
          this.events.sent(batch.samples, batch.protocol);
        } else if (outcome.kind === 'rejected') {
          this.events.dropped(batch.samples, REMOTE_WRITE_DROP_REASONS.rejected, batch.protocol);
          diag.warn(`@inferometer/exporter-remote-write: ${this.config.url} refused ${batch.samples} samples (${outcome.reason}); not retried`);
        } else if (!stillOurs) {
          // Evicted for newer data while in flight, and this try failed.
          this.events.dropped(batch.samples, REMOTE_WRITE_DROP_REASONS.queueFull, batch.protocol);
        } else if (this.closed || outcome.kind === 'unsupported') {
          // (A 2.0 request refused as unsupported reaches here only when closing: no time to re-send it.)
          this.events.dropped(batch.samples, REMOTE_WRITE_DROP_REASONS.shutdown, batch.protocol);
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

  /**
   * Switches every later request to 1.0 (once): the receiver cannot take
   * 2.0. Said once in diag; counted in `stats.fallbacks` each time a 2.0
   * request was refused (more than one can be in flight over a process's life
   * only when the configured protocol is 2.0 and a new exporter is made).
   */
  private fallBack(reason: string): void {
    this.stats.fallbacks++;
    if (this.stats.protocol === '1.0') return;
    this.stats.protocol = '1.0';
    diag.warn(
      `@inferometer/exporter-remote-write: ${this.config.url} does not take remote write 2.0 (${reason}); falling back to 1.0 for this and every later request (remote_write_spec_2_0.md: a 2xx without X-Prometheus-Remote-Write-*-Written headers counts as 415)`,
    );
  }

  /** Re-encodes a held 2.0 batch as 1.0; false (and counted as dropped) when that fails. */
  private downgrade(batch: Batch): boolean {
    let replacement: { readonly body: Uint8Array; readonly samples: number } | undefined;
    try {
      replacement = batch.fallback?.();
    } catch (err) {
      diag.error('@inferometer/exporter-remote-write: re-encoding a 2.0 request as 1.0 failed; its samples are dropped', err);
    }
    if (replacement === undefined) {
      this.events.dropped(batch.samples, REMOTE_WRITE_DROP_REASONS.encodeError, batch.protocol);
      return false;
    }
    // The batch is held: it counts against the bounds by its own fields, so they may change now.
    batch.body = replacement.body;
    batch.samples = replacement.samples;
    batch.protocol = '1.0';
    batch.fallback = undefined;
    return true;
  }

  private async send(batch: Batch): Promise<Outcome> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.config.requestTimeoutMillis)]);
    const v2 = batch.protocol === '2.0';
    let response: Response;
    try {
      response = await fetch(this.config.url, {
        method: 'POST',
        headers: v2 ? this.v2Headers : this.config.headers,
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
    const reason = `HTTP ${status}${text === '' ? '' : `: ${text.slice(0, 256)}`}`;
    if (v2) {
      // remote_write_spec_2_0.md: "Senders SHOULD assume 415 ... when ... receiving 2xx HTTP status
      // code, but none of the X-Prometheus-Remote-Write-*-Written response headers": a 1.0
      // receiver that ignores Content-Type decodes a 2.0 body as an empty 1.0 request.
      const samples = writtenCount(response.headers.get(WRITTEN_HEADERS.samples));
      const histograms = writtenCount(response.headers.get(WRITTEN_HEADERS.histograms));
      const exemplars = writtenCount(response.headers.get(WRITTEN_HEADERS.exemplars));
      const answered = samples !== undefined || histograms !== undefined || exemplars !== undefined;
      if (status === 415 || (status >= 200 && status < 300 && !answered)) {
        return { kind: 'unsupported', reason: status === 415 ? reason : `HTTP ${status} without X-Prometheus-Remote-Write-*-Written headers` };
      }
      // Missing headers on 2xx or 4xx mean none of that kind written (spec); counted as answered.
      this.stats.samplesWritten += samples ?? 0;
      this.stats.histogramsWritten += histograms ?? 0;
      this.stats.exemplarsWritten += exemplars ?? 0;
    }
    if (status >= 200 && status < 300) return { kind: 'sent' };
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

/** A `*-Written` header's count (a 64-bit integer), undefined when absent or not a whole number. */
function writtenCount(value: string | null): number | undefined {
  if (value === null || !/^\s*\d{1,19}\s*$/.test(value)) return undefined;
  return Number(value);
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
