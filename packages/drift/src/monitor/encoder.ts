import type { CategoricalFeatureProfile, FeatureProfile } from '../profile/format.js';
import type { SlotLayout } from '../window/window.js';

const NUMERIC = 0;
const CATEGORICAL = 1;

/**
 * Turns a feature's value into its slot: the bin among the reference edges
 * (numeric), or the category's index (categorical). Every feature has, after
 * its bins, one "missing" slot (NaN, null, wrong type), and a categorical
 * feature one "other" bin before it for values the reference never had.
 * Everything is precomputed from the profile: edges in one Float64Array, a
 * Map per categorical feature; encoding allocates nothing.
 *
 * @internal
 */
export class FeatureEncoder implements SlotLayout {
  readonly features: number;
  readonly names: readonly string[];
  readonly offsets: Int32Array;
  readonly totalSlots: number;
  /** Bins that enter the statistics, per feature (numeric: edges + 1; categorical: categories + other). */
  readonly bins: Int32Array;
  /** Reference shares per feature, `bins[j]` long (the other bin's share is 0). */
  readonly expected: readonly Float64Array[];
  readonly numeric: readonly boolean[];
  private readonly _kinds: Uint8Array;
  private readonly _edges: Float64Array;
  private readonly _edgeOffsets: Int32Array;
  private readonly _edgeCounts: Int32Array;
  private readonly _categories: (Map<unknown, number> | undefined)[];

  constructor(profiles: readonly FeatureProfile[], classNames?: readonly string[]) {
    const n = profiles.length;
    this.features = n;
    this.names = profiles.map((p) => p.name);
    this.numeric = profiles.map((p) => p.type === 'numeric');
    this._kinds = new Uint8Array(n);
    this.offsets = new Int32Array(n);
    this.bins = new Int32Array(n);
    this._edgeOffsets = new Int32Array(n);
    this._edgeCounts = new Int32Array(n);
    this._categories = new Array(n);
    const expected: Float64Array[] = [];
    let edgeTotal = 0;
    for (const p of profiles) if (p.type === 'numeric') edgeTotal += p.edges.length;
    this._edges = new Float64Array(edgeTotal);
    let edgeAt = 0;
    let slotAt = 0;
    profiles.forEach((p, j) => {
      this.offsets[j] = slotAt;
      if (p.type === 'numeric') {
        this._kinds[j] = NUMERIC;
        this._edgeOffsets[j] = edgeAt;
        this._edgeCounts[j] = p.edges.length;
        this._edges.set(p.edges, edgeAt);
        edgeAt += p.edges.length;
        this.bins[j] = p.edges.length + 1;
        expected.push(Float64Array.from(p.proportions));
      } else {
        this._kinds[j] = CATEGORICAL;
        this._categories[j] = categoryIndex(p, classNames);
        this.bins[j] = p.categories.length + 1;
        const shares = new Float64Array(p.categories.length + 1);
        shares.set(p.proportions);
        expected.push(shares);
      }
      // One more slot for missing values.
      slotAt += this.bins[j]! + 1;
    });
    this.totalSlots = slotAt;
    this.expected = expected;
  }

  /** Feature j's slot for `value`. The per-observation hot path. */
  encode(j: number, value: unknown): number {
    if (this._kinds[j] === NUMERIC) {
      // NaN, null, strings: missing (`value !== value` is the NaN test).
      if (typeof value !== 'number' || value !== value) return this._edgeCounts[j]! + 1;
      const edges = this._edges;
      const offset = this._edgeOffsets[j]!;
      let lo = 0;
      let hi = this._edgeCounts[j]!;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (value < edges[offset + mid]!) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    }
    if (value === null || value === undefined || value === '') return this.bins[j]!;
    const slot = this._categories[j]!.get(value);
    // Not in the reference: the "other" bin, the last one that counts.
    return slot === undefined ? this.bins[j]! - 1 : slot;
  }
}

/**
 * Category lookup that accepts each category as the string in the profile
 * and, where it reads as one, as a number, a bigint (int64 tensors) or a
 * boolean, so that the hot path never converts a value to a string. With
 * `classNames`, integer outputs i (a label tensor) map to `classNames[i]`.
 */
function categoryIndex(profile: CategoricalFeatureProfile, classNames: readonly string[] | undefined): Map<unknown, number> {
  const index = new Map<unknown, number>();
  profile.categories.forEach((category, i) => {
    index.set(category, i);
    const number = Number(category);
    if (category.trim() !== '' && Number.isFinite(number)) {
      if (!index.has(number)) index.set(number, i);
      if (Number.isInteger(number) && !index.has(BigInt(number))) index.set(BigInt(number), i);
    }
    if (category === 'true') index.set(true, i);
    if (category === 'false') index.set(false, i);
  });
  classNames?.forEach((name, i) => {
    const slot = profile.categories.indexOf(name);
    if (slot >= 0) {
      index.set(i, slot);
      index.set(BigInt(i), slot);
    }
  });
  return index;
}
