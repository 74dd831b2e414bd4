import type { RemoteWriteProtocol } from '../catalog.js';

/** One request body waiting to be delivered. */
export interface Batch {
  /** Replaced only while the sender holds the batch (a 2.0 body re-encoded as 1.0), when it counts outside the queue's sums. */
  body: Uint8Array;
  samples: number;
  /** The protocol `body` is encoded in. */
  protocol: RemoteWriteProtocol;
  /**
   * For a 2.0 body: the 1.0 request holding the same samples, encoded when
   * first asked (a receiver refused 2.0); undefined when it cannot be made.
   */
  fallback?: (() => { readonly body: Uint8Array; readonly samples: number } | undefined) | undefined;
  /** Failed attempts so far. */
  attempts: number;
}

/** Limits of the queue; both apply. */
export interface QueueBounds {
  readonly maxSamples: number;
  readonly maxBytes: number;
}

/**
 * FIFO of request bodies bounded in samples AND bytes (issue 4). When a new
 * batch does not fit, the OLDEST batches are evicted: every series is
 * cumulative, so a newer sample carries everything an older one did, and
 * losing old ones only costs resolution during the outage, never the totals.
 * The batch being sent is outside the queue (the sender holds it) but counts
 * against the bounds, so memory stays within them plus nothing.
 */
export class BoundedQueue {
  private readonly items: Batch[] = [];
  private queuedSamples = 0;
  private queuedBytes = 0;
  private held: Batch | undefined;

  constructor(private readonly bounds: QueueBounds) {}

  /** Samples waiting or being sent. */
  get samples(): number {
    return this.queuedSamples + (this.held?.samples ?? 0);
  }

  /** Bytes waiting or being sent. */
  get bytes(): number {
    return this.queuedBytes + (this.held?.body.length ?? 0);
  }

  /** Samples waiting or being sent in `protocol` (the pending gauge, by protocol). */
  samplesIn(protocol: RemoteWriteProtocol): number {
    let samples = this.held?.protocol === protocol ? this.held.samples : 0;
    for (const batch of this.items) if (batch.protocol === protocol) samples += batch.samples;
    return samples;
  }

  get length(): number {
    return this.items.length;
  }

  /**
   * Adds a batch, evicting older ones to make room. Returns the batches that
   * were given up: evicted ones, or the new one itself when it alone exceeds
   * the bounds.
   */
  push(batch: Batch): Batch[] {
    const { maxSamples, maxBytes } = this.bounds;
    if (batch.samples > maxSamples || batch.body.length > maxBytes) return [batch];
    const evicted: Batch[] = [];
    while (this.samples + batch.samples > maxSamples || this.bytes + batch.body.length > maxBytes) {
      if (this.held !== undefined) {
        // The batch in flight is the oldest: it stops counting against the
        // bounds now; release() tells the sender not to retry it, and the
        // sender counts it as dropped unless this very send succeeds.
        this.held = undefined;
        continue;
      }
      const oldest = this.items.shift();
      if (oldest === undefined) break;
      this.queuedSamples -= oldest.samples;
      this.queuedBytes -= oldest.body.length;
      evicted.push(oldest);
    }
    this.items.push(batch);
    this.queuedSamples += batch.samples;
    this.queuedBytes += batch.body.length;
    return evicted;
  }

  /** Takes the oldest batch for sending; it keeps counting until {@link release}. */
  take(): Batch | undefined {
    const batch = this.items.shift();
    if (batch === undefined) return undefined;
    this.queuedSamples -= batch.samples;
    this.queuedBytes -= batch.body.length;
    this.held = batch;
    return batch;
  }

  /**
   * Ends the send of `batch`. Returns false when the batch was evicted
   * while in flight: the caller must not retry it.
   */
  release(batch: Batch): boolean {
    if (this.held !== batch) return false;
    this.held = undefined;
    return true;
  }

  /** Puts a batch that will be retried back at the head. */
  unshift(batch: Batch): void {
    this.items.unshift(batch);
    this.queuedSamples += batch.samples;
    this.queuedBytes += batch.body.length;
  }

  /** Empties the queue (not the batch in flight) and returns what it held. */
  drain(): Batch[] {
    const all = this.items.splice(0);
    this.queuedSamples = 0;
    this.queuedBytes = 0;
    return all;
  }
}
