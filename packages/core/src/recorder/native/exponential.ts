/**
 * Base-2 exponential histogram, aggregated as the OpenTelemetry data model
 * defines it (https://opentelemetry.io/docs/specs/otel/metrics/data-model/#exponentialhistogram
 * and https://opentelemetry.io/docs/specs/otel/metrics/sdk/#base2-exponential-bucket-histogram-aggregation):
 * bucket `index` at `scale` counts values in (base^index, base^(index+1)]
 * with base = 2^(2^-scale); exact zeros go to the zero count (zero
 * threshold 0, as the SDK); at most `maxSize` buckets per sign, the scale
 * lowered when a value would need more.
 *
 * The mapping and the rescaling follow sdk-metrics' ExponentialHistogramAccumulation
 * (open-telemetry/opentelemetry-js, packages/sdk-metrics/src/aggregator/exponential-histogram)
 * step for step, so the same values give the same scale, offset and counts
 * (a property test checks this against the SDK). The difference is the
 * storage: counts live in one Float64Array per sign, positions relative to
 * the lowest index, grown by doubling up to `maxSize`; recording a value
 * allocates nothing once the array has its size.
 *
 * @internal
 */
export class ExponentialHistogram {
  scale = MAX_SCALE;
  count = 0;
  sum = 0;
  zeroCount = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** Positive buckets: counts[i] is bucket posStart + i; empty when posEnd < posStart. */
  pos: Float64Array = EMPTY;
  posStart = 0;
  posEnd = -1;
  /** Negative buckets (by absolute value), created on the first negative value. */
  neg: Float64Array = EMPTY;
  negStart = 0;
  negEnd = -1;

  constructor(readonly maxSize: number = DEFAULT_MAX_SIZE) {}

  record(value: number): void {
    // Non-finite values are dropped, as the SDK does.
    if (!Number.isFinite(value)) return;
    if (value > this.max) this.max = value;
    if (value < this.min) this.min = value;
    this.count++;
    if (value === 0) {
      this.zeroCount++;
      return;
    }
    this.sum += value;
    if (value > 0) this._positive(value);
    else this._negative(-value);
  }

  /** The scale a point reports: 0 when only zeros were recorded, as the SDK. */
  get pointScale(): number {
    return this.count === this.zeroCount ? 0 : this.scale;
  }

  private _positive(value: number): void {
    let index = mapToIndex(value, this.scale);
    if (this.posEnd >= this.posStart) {
      const low = index < this.posStart ? index : this.posStart;
      const high = index > this.posEnd ? index : this.posEnd;
      if (high - low >= this.maxSize) {
        this.downscale(changeScale(high, low, this.maxSize));
        index = mapToIndex(value, this.scale);
      }
    }
    this.pos = increment(this.pos, this.posStart, this.posEnd, index, this.maxSize);
    if (this.posEnd < this.posStart) this.posStart = this.posEnd = index;
    else if (index < this.posStart) this.posStart = index;
    else if (index > this.posEnd) this.posEnd = index;
  }

  private _negative(value: number): void {
    let index = mapToIndex(value, this.scale);
    if (this.negEnd >= this.negStart) {
      const low = index < this.negStart ? index : this.negStart;
      const high = index > this.negEnd ? index : this.negEnd;
      if (high - low >= this.maxSize) {
        this.downscale(changeScale(high, low, this.maxSize));
        index = mapToIndex(value, this.scale);
      }
    }
    this.neg = increment(this.neg, this.negStart, this.negEnd, index, this.maxSize);
    if (this.negEnd < this.negStart) this.negStart = this.negEnd = index;
    else if (index < this.negStart) this.negStart = index;
    else if (index > this.negEnd) this.negEnd = index;
  }

  /** Lowers the scale by `change`: every 2^change adjacent buckets become one, on both signs. */
  downscale(change: number): void {
    if (change <= 0) return;
    if (this.posEnd >= this.posStart) {
      collapse(this.pos, this.posStart, this.posEnd, change);
      this.posStart >>= change;
      this.posEnd >>= change;
    }
    if (this.negEnd >= this.negStart) {
      collapse(this.neg, this.negStart, this.negEnd, change);
      this.negStart >>= change;
      this.negEnd >>= change;
    }
    this.scale -= change;
  }

  /** Positive bucket counts from `posStart`, as a plain array (collection time). */
  positiveCounts(): number[] {
    return countsOf(this.pos, this.posStart, this.posEnd);
  }

  negativeCounts(): number[] {
    return countsOf(this.neg, this.negStart, this.negEnd);
  }
}

/** The SDK's default and the specification's recommended maximum number of buckets per sign. */
export const DEFAULT_MAX_SIZE = 160;
/** Highest scale: the SDK starts every histogram there and lowers it as values spread. */
export const MAX_SCALE = 20;
/** Lowest scale the mapping supports (sdk-metrics getMapping). */
export const MIN_SCALE = -10;

const EMPTY = new Float64Array(0);
const FIRST_CAPACITY = 8;

function countsOf(counts: Float64Array, start: number, end: number): number[] {
  const out = new Array<number>(end >= start ? end - start + 1 : 0);
  for (let i = 0; i < out.length; i++) out[i] = counts[i]!;
  return out;
}

/** Bucket `index` +1 in `counts` (which holds start..end); returns the array, grown or shifted as needed. */
function increment(counts: Float64Array, start: number, end: number, index: number, maxSize: number): Float64Array {
  if (end < start) {
    if (counts.length === 0) counts = new Float64Array(Math.min(FIRST_CAPACITY, maxSize));
    counts[0] = 1;
    return counts;
  }
  if (index >= start && index <= end) {
    counts[index - start]!++;
    return counts;
  }
  const newStart = index < start ? index : start;
  const newEnd = index > end ? index : end;
  const span = newEnd - newStart + 1;
  if (span > counts.length) {
    let size = counts.length;
    while (size < span) size *= 2;
    const grown = new Float64Array(Math.min(size, maxSize));
    grown.set(counts.subarray(0, end - start + 1), start - newStart);
    counts = grown;
  } else if (newStart < start) {
    counts.copyWithin(start - newStart, 0, end - start + 1);
    counts.fill(0, 0, start - newStart);
  }
  counts[index - newStart]!++;
  return counts;
}

/** Merges buckets start..end (held from position 0) into start>>change..end>>change, in place. */
function collapse(counts: Float64Array, start: number, end: number, change: number): void {
  const base = start >> change;
  for (let i = start; i <= end; i++) {
    const from = i - start;
    const to = (i >> change) - base;
    if (to === from) continue;
    counts[to]! += counts[from]!;
    counts[from] = 0;
  }
}

/** How many halvings bring high - low under maxSize (sdk-metrics `_changeScale`). @internal */
export function changeScale(high: number, low: number, maxSize: number): number {
  let change = 0;
  while (high - low >= maxSize) {
    high >>= 1;
    low >>= 1;
    change++;
  }
  return change;
}

// IEEE 754 helpers (sdk-metrics exponential-histogram/mapping/ieee754.ts).
const MIN_NORMAL_EXPONENT = -1022;
const MAX_NORMAL_EXPONENT = 1023;
const MIN_VALUE = 2 ** -1022;
const bits = new DataView(new ArrayBuffer(8));
/** log2(2^scale) * LOG2E per scale > 0: the logarithm mapping's factor. */
const SCALE_FACTORS = Array.from({ length: MAX_SCALE + 1 }, (_, scale) => Math.LOG2E * 2 ** scale);

/**
 * Bucket index of a positive finite value at `scale`: the logarithm mapping
 * above scale 0, the exponent mapping at and below it, with exact powers of
 * two put in the bucket they close (sdk-metrics LogarithmMapping and
 * ExponentMapping).
 *
 * @internal
 */
export function mapToIndex(value: number, scale: number): number {
  bits.setFloat64(0, value);
  const hi = bits.getUint32(0);
  const exponent = ((hi & 0x7ff00000) >> 20) - 1023;
  const powerOfTwo = (hi & 0xfffff) === 0 && bits.getUint32(4) === 0;
  if (scale > 0) {
    if (value <= MIN_VALUE) return (MIN_NORMAL_EXPONENT << scale) - 1;
    if (powerOfTwo) return (exponent << scale) - 1;
    const index = Math.floor(Math.log(value) * SCALE_FACTORS[scale]!);
    const maxIndex = ((MAX_NORMAL_EXPONENT + 1) << scale) - 1;
    return index >= maxIndex ? maxIndex : index;
  }
  const shift = -scale;
  if (value < MIN_VALUE) return (MIN_NORMAL_EXPONENT >> shift) - (shift < 2 ? 1 : 0);
  return (exponent + (powerOfTwo ? -1 : 0)) >> shift;
}
