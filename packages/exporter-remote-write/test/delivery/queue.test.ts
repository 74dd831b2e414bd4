import { describe, expect, it } from 'vitest';
import { BoundedQueue, type Batch } from '../../src/delivery/queue.js';

const batch = (samples: number, bytes = 10): Batch => ({ body: new Uint8Array(bytes), samples, protocol: '1.0', attempts: 0 });

describe('BoundedQueue', () => {
  it('evicts the oldest batches when samples or bytes would exceed the bounds', () => {
    const queue = new BoundedQueue({ maxSamples: 10, maxBytes: 100 });
    const [a, b, c] = [batch(4), batch(4), batch(4)];
    expect(queue.push(a)).toEqual([]);
    expect(queue.push(b)).toEqual([]);
    expect(queue.push(c)).toEqual([a]);
    expect(queue.samples).toBe(8);
    const big = batch(1, 95);
    expect(queue.push(big)).toEqual([b, c]);
    expect(queue.bytes).toBe(95);
  });

  it('refuses a batch larger than the bounds by itself', () => {
    const queue = new BoundedQueue({ maxSamples: 10, maxBytes: 100 });
    const huge = batch(11);
    expect(queue.push(huge)).toEqual([huge]);
    expect(queue.length).toBe(0);
  });

  it('counts the batch in flight, and lets go of it when newer data needs the room', () => {
    const queue = new BoundedQueue({ maxSamples: 10, maxBytes: 100 });
    const first = batch(6);
    queue.push(first);
    expect(queue.take()).toBe(first);
    expect(queue.samples).toBe(6);
    const waiting = batch(3);
    queue.push(waiting);
    // The batch in flight is the oldest, so it goes first.
    expect(queue.push(batch(6))).toEqual([]);
    expect(queue.samples).toBe(9);
    expect(queue.release(first)).toBe(false); // evicted while in flight: not to be retried
  });

  it('puts a batch to retry back at the head', () => {
    const queue = new BoundedQueue({ maxSamples: 10, maxBytes: 100 });
    const [a, b] = [batch(1), batch(2)];
    queue.push(a);
    queue.push(b);
    expect(queue.take()).toBe(a);
    expect(queue.release(a)).toBe(true);
    queue.unshift(a);
    expect(queue.take()).toBe(a);
    expect(queue.drain()).toEqual([b]);
  });
});
