import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountWindow } from '../../src/window/count-window.js';
import type { SlotLayout } from '../../src/window/window.js';

// Two features: feature 0 has slots 0..2 (offset 0), feature 1 slots 0..3 (offset 3).
const layout: SlotLayout = { features: 2, offsets: Int32Array.from([0, 3]), totalSlots: 7 };

describe('CountWindow', () => {
  it('counts the last `capacity` rows exactly, evicting the oldest', () => {
    const window = new CountWindow(layout, 2);
    window.commit(Uint16Array.from([0, 0]));
    window.commit(Uint16Array.from([1, 3]));
    expect(window.rows()).toBe(2);
    expect([...window.totals()]).toEqual([1, 1, 0, 1, 0, 0, 1]);
    window.commit(Uint16Array.from([2, 3])); // evicts [0, 0]
    expect(window.rows()).toBe(2);
    expect([...window.totals()]).toEqual([0, 1, 1, 0, 0, 0, 2]);
  });

  it('equals a recount of the last rows for any sequence (property)', () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(row, { maxLength: 100 }), (capacity, rows) => {
        const window = new CountWindow(layout, capacity);
        for (const r of rows) window.commit(Uint16Array.from(r));
        const expected = new Array(7).fill(0);
        for (const [a, b] of rows.slice(-capacity)) {
          expected[a]++;
          expected[3 + b]++;
        }
        expect([...window.totals()]).toEqual(expected);
        expect(window.rows()).toBe(Math.min(capacity, rows.length));
      }),
    );
  });
});
