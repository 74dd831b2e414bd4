import type { SlidingWindow, SlotLayout } from './window.js';

/**
 * The rows of the last `seconds`, in `slices` equal time slices: counts per
 * slot per slice, the oldest slice cleared as time moves on. Adding a row is
 * one increment per feature in the current slice; the clock is read once per
 * call by the caller ({@link advance}), not per feature. The window covers the
 * current slice and the `slices - 1` before it.
 *
 * @internal
 */
export class TimeWindow implements SlidingWindow {
  private readonly _slices: Int32Array;
  private readonly _rowsPerSlice: Int32Array;
  private readonly _totals: Int32Array;
  private readonly _sliceMillis: number;
  private _current = 0;
  private _currentEnd: number;

  constructor(
    private readonly _layout: SlotLayout,
    seconds: number,
    private readonly _sliceCount: number,
    now: number,
  ) {
    this._slices = new Int32Array(_sliceCount * _layout.totalSlots);
    this._rowsPerSlice = new Int32Array(_sliceCount);
    this._totals = new Int32Array(_layout.totalSlots);
    this._sliceMillis = (seconds * 1000) / _sliceCount;
    this._currentEnd = now + this._sliceMillis;
  }

  advance(now: number): void {
    if (now < this._currentEnd) return;
    const steps = Math.floor((now - this._currentEnd) / this._sliceMillis) + 1;
    const width = this._layout.totalSlots;
    if (steps >= this._sliceCount) {
      // Idle for a whole window: start afresh.
      this._slices.fill(0);
      this._rowsPerSlice.fill(0);
      this._currentEnd = now + this._sliceMillis;
      return;
    }
    for (let i = 0; i < steps; i++) {
      this._current = this._current + 1 === this._sliceCount ? 0 : this._current + 1;
      this._slices.fill(0, this._current * width, (this._current + 1) * width);
      this._rowsPerSlice[this._current] = 0;
      this._currentEnd += this._sliceMillis;
    }
  }

  commit(slots: Uint16Array): void {
    const features = this._layout.features;
    const offsets = this._layout.offsets;
    const counts = this._slices;
    const base = this._current * this._layout.totalSlots;
    for (let j = 0; j < features; j++) counts[base + offsets[j]! + slots[j]!]!++;
    this._rowsPerSlice[this._current]!++;
  }

  rows(): number {
    let rows = 0;
    for (let i = 0; i < this._sliceCount; i++) rows += this._rowsPerSlice[i]!;
    return rows;
  }

  totals(): Int32Array {
    const width = this._layout.totalSlots;
    const totals = this._totals;
    totals.fill(0);
    for (let s = 0; s < this._sliceCount; s++) {
      const base = s * width;
      for (let i = 0; i < width; i++) totals[i]! += this._slices[base + i]!;
    }
    return totals;
  }
}
