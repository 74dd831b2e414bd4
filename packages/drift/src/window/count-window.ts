import type { SlidingWindow, SlotLayout } from './window.js';

/**
 * The last `capacity` rows, exactly: a ring of slots (2 bytes per feature
 * per row) and running counts per slot. Adding a row evicts the oldest one
 * by decrementing its slots' counts: O(features), nothing allocated.
 *
 * @internal
 */
export class CountWindow implements SlidingWindow {
  private readonly _ring: Uint16Array;
  private readonly _counts: Int32Array;
  private _position = 0;
  private _size = 0;

  constructor(
    private readonly _layout: SlotLayout,
    private readonly _capacity: number,
  ) {
    this._ring = new Uint16Array(_capacity * _layout.features);
    this._counts = new Int32Array(_layout.totalSlots);
  }

  commit(slots: Uint16Array): void {
    const features = this._layout.features;
    const offsets = this._layout.offsets;
    const ring = this._ring;
    const counts = this._counts;
    const base = this._position * features;
    if (this._size === this._capacity) {
      for (let j = 0; j < features; j++) counts[offsets[j]! + ring[base + j]!]!--;
    } else {
      this._size++;
    }
    for (let j = 0; j < features; j++) {
      const slot = slots[j]!;
      ring[base + j] = slot;
      counts[offsets[j]! + slot]!++;
    }
    this._position = this._position + 1 === this._capacity ? 0 : this._position + 1;
  }

  advance(): void {}

  rows(): number {
    return this._size;
  }

  totals(): Int32Array {
    return this._counts;
  }
}
