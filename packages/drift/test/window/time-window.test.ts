import { describe, expect, it } from 'vitest';
import { TimeWindow } from '../../src/window/time-window.js';
import type { SlotLayout } from '../../src/window/window.js';

const layout: SlotLayout = { features: 1, offsets: Int32Array.from([0]), totalSlots: 3 };
const row = (slot: number) => Uint16Array.from([slot]);

describe('TimeWindow', () => {
  it('keeps the rows of the last `seconds`, dropping one slice at a time', () => {
    // 10 s in 5 slices of 2 s, starting at t = 0.
    const window = new TimeWindow(layout, 10, 5, 0);
    window.commit(row(0)); // slice [0, 2)
    window.advance(3_000);
    window.commit(row(1)); // slice [2, 4)
    window.advance(9_999);
    expect(window.rows()).toBe(2);
    expect([...window.totals()]).toEqual([1, 1, 0]);
    window.advance(10_000); // slice [10, 12) replaces [0, 2)
    expect([...window.totals()]).toEqual([0, 1, 0]);
    window.advance(12_000);
    expect(window.rows()).toBe(0);
  });

  it('starts afresh after a whole window without calls', () => {
    const window = new TimeWindow(layout, 1, 4, 0);
    window.commit(row(2));
    window.commit(row(2));
    window.advance(60_000);
    expect(window.rows()).toBe(0);
    window.commit(row(1));
    expect([...window.totals()]).toEqual([0, 1, 0]);
  });
});
