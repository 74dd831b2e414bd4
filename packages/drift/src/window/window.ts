import { InferometerConfigError } from '@inferometer/core';
import { MAX_WINDOW_CELLS } from '../limits.js';

/**
 * The sliding window: the most recent rows by count, or the rows of the last
 * so many seconds. Windows hold bin indices ("slots"), not values, and every
 * array is allocated at construction: adding a row is O(features) with no
 * allocation, so observing drift costs the prediction path no garbage.
 */
export interface SlidingWindow {
  /** Adds one row: `slots[j]` is feature j's slot (its bin, or its missing slot). */
  commit(slots: Uint16Array): void;
  /** Moves a time window to `now` (milliseconds, monotonic); a count window ignores it. */
  advance(now: number): void;
  /** Rows in the window now. */
  rows(): number;
  /** Counts per slot over the whole window, indexed by the layout's offsets. Valid until the next commit. */
  totals(): Int32Array;
}

/** How the window is bounded. */
export type WindowOptions =
  | {
      /**
       * Keep the most recent `count` rows (10 to 1,000,000). Memory: 2 bytes
       * per row per feature.
       *
       * @example
       * ```ts
       * window: { count: 1000 }
       * ```
       */
      readonly count: number;
    }
  | {
      /**
       * Keep the rows of the last `seconds` (1 to 86,400), dropped in
       * `slices` steps (default 10, from 2 to 120): the window covers between
       * `seconds * (slices - 1) / slices` and `seconds`.
       *
       * @example
       * ```ts
       * window: { seconds: 300, slices: 10 }
       * ```
       */
      readonly seconds: number;
      /** See {@link WindowOptions}. @example `slices: 30` */
      readonly slices?: number;
    };

/** Default window: the last 1000 rows. */
export const DEFAULT_WINDOW = { count: 1000 } as const satisfies WindowOptions;

/** Validated window settings. @internal */
export type WindowSpec = { readonly kind: 'count'; readonly count: number } | { readonly kind: 'time'; readonly seconds: number; readonly slices: number };

/** The window forms, as an `InferometerConfigError` lists them. */
const WINDOW_FORMS = ['{ count: 1000 }', '{ seconds: 300, slices?: 10 }'];

/** Checks the `window` option, throwing with its name and the accepted values. @internal */
export function resolveWindow(where: string, window: WindowOptions | undefined, features: number): WindowSpec {
  const w = window ?? DEFAULT_WINDOW;
  if (w === null || typeof w !== 'object') {
    throw new InferometerConfigError('window', `${where}: option "window" must be { count: 1000 } or { seconds: 300, slices?: 10 }; got ${String(w)}`, WINDOW_FORMS);
  }
  if ('count' in w && !('seconds' in w)) {
    const count = w.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 10 || count > 1_000_000) {
      throw new InferometerConfigError('window.count', `${where}: option "window.count" must be a whole number of rows from 10 to 1000000; got ${String(count)}`, ['a whole number of rows from 10 to 1000000']);
    }
    if (count * features > MAX_WINDOW_CELLS) {
      throw new InferometerConfigError('window.count', `${where}: option "window.count" of ${count} rows x ${features} features is more than ${MAX_WINDOW_CELLS} cells; use fewer rows or a time window { seconds }`, [`at most ${MAX_WINDOW_CELLS} cells (rows x features)`, 'a time window { seconds }']);
    }
    return { kind: 'count', count };
  }
  if ('seconds' in w && !('count' in w)) {
    const { seconds } = w;
    const slices = w.slices ?? 10;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 1 || seconds > 86_400) {
      throw new InferometerConfigError('window.seconds', `${where}: option "window.seconds" must be a number of seconds from 1 to 86400; got ${String(seconds)}`, ['a number of seconds from 1 to 86400']);
    }
    if (typeof slices !== 'number' || !Number.isInteger(slices) || slices < 2 || slices > 120) {
      throw new InferometerConfigError('window.slices', `${where}: option "window.slices" must be a whole number from 2 to 120; got ${String(slices)}`, ['a whole number from 2 to 120']);
    }
    return { kind: 'time', seconds, slices };
  }
  throw new InferometerConfigError('window', `${where}: option "window" must have either "count" or "seconds": { count: 1000 } or { seconds: 300, slices?: 10 }`, WINDOW_FORMS);
}

/** Where each feature's slots start in the counts, and how many it has. @internal */
export interface SlotLayout {
  /** Features per row. */
  readonly features: number;
  /** Offset of feature j's first slot. */
  readonly offsets: Int32Array;
  /** Slots of all features together. */
  readonly totalSlots: number;
}
