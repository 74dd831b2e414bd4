import type { Attributes, BatchObservableResult } from '@opentelemetry/api';
import { InferometerConfigError, type BoundInferenceObserver, type InferenceObserver } from '@inferometer/core';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION } from '@inferometer/core/catalog';
import { DRIFT_DROP_REASONS } from '../catalog.js';
import { ATTR_DISTANCE, ATTR_SOURCE } from '../quality-catalog.js';
import { reportError } from '../monitor/diagnostics.js';
import { driftRegistry } from '../monitor/registry.js';
import { qualityRegistry, type QualityInstruments, type QualityMember } from './registry.js';
import { UNSUPPORTED_ROWS, walkRows, type RowSink } from './rows.js';

/** Value of {@link EmbeddingReference.format}. */
export const EMBEDDING_REFERENCE_FORMAT = 'inferometer-embedding-reference' as const;
/** Most dimensions an embedding reference may have. */
export const MAX_EMBEDDING_DIMENSIONS = 65_536;

/**
 * What "normal" vectors look like: the mean (the reference centroid) and
 * standard deviation of each dimension over reference vectors, from
 * {@link buildEmbeddingReference}. JSON, shipped with the model.
 */
export interface EmbeddingReference {
  readonly format: typeof EMBEDDING_REFERENCE_FORMAT;
  readonly version: 1;
  /** Vectors the reference was built from. */
  readonly rows: number;
  /** Mean per dimension: the reference centroid. */
  readonly mean: readonly number[];
  /** Population standard deviation per dimension. */
  readonly std: readonly number[];
}

/**
 * Builds an {@link EmbeddingReference} from reference vectors (training
 * embeddings, or training feature rows). Two passes, O(rows x dimensions).
 *
 * @example
 * ```ts
 * const reference = buildEmbeddingReference(trainingEmbeddings);
 * writeFileSync('embedding-reference.json', JSON.stringify(reference));
 * ```
 */
export function buildEmbeddingReference(vectors: ArrayLike<ArrayLike<number>>): EmbeddingReference {
  const where = 'buildEmbeddingReference(vectors)';
  if (vectors === null || typeof vectors !== 'object' || !(vectors.length > 0)) throw new TypeError(`${where}: vectors must be a non-empty array of vectors`);
  const d = vectors[0]!.length;
  if (!(d > 0) || d > MAX_EMBEDDING_DIMENSIONS) throw new TypeError(`${where}: vectors must have 1 to ${MAX_EMBEDDING_DIMENSIONS} dimensions; the first has ${String(d)}`);
  const sum = new Float64Array(d);
  for (let r = 0; r < vectors.length; r++) {
    const v = vectors[r]!;
    if (v.length !== d) throw new TypeError(`${where}: vector ${r} has ${v.length} dimensions, the first has ${d}`);
    for (let k = 0; k < d; k++) {
      const x = v[k]!;
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new TypeError(`${where}: vector ${r} has a value that is not a finite number at dimension ${k}`);
      sum[k]! += x;
    }
  }
  const mean = Array.from(sum, (s) => s / vectors.length);
  const squares = new Float64Array(d);
  for (let r = 0; r < vectors.length; r++) {
    const v = vectors[r]!;
    for (let k = 0; k < d; k++) squares[k]! += (v[k]! - mean[k]!) ** 2;
  }
  return { format: EMBEDDING_REFERENCE_FORMAT, version: 1, rows: vectors.length, mean, std: Array.from(squares, (s) => Math.sqrt(s / vectors.length)) };
}

/** Options of {@link embeddingMonitor}. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's arguments and result
export interface EmbeddingMonitorOptions<Args extends unknown[] = any[], Result = any> {
  /**
   * The reference, from {@link buildEmbeddingReference} (or its JSON).
   *
   * @example
   * ```ts
   * reference: JSON.parse(readFileSync('embedding-reference.json', 'utf8'))
   * ```
   */
  reference: EmbeddingReference;
  /**
   * Reads input vectors from the call's arguments (`source="input"`): rows,
   * one vector, or a `[rows, dimensions]` tensor. Give this or `output`.
   *
   * @example
   * ```ts
   * input: (rows: number[][]) => rows
   * ```
   */
  input?: (...args: Args) => unknown;
  /**
   * Reads output vectors (embeddings the model returns) from the result
   * (`source="output"`).
   *
   * @example
   * ```ts
   * output: (result) => result.embeddings
   * ```
   */
  output?: (result: Result) => unknown;
  /**
   * A vector is an outlier when any dimension is further than this many
   * reference standard deviations from the reference mean. Default 4.
   *
   * @example
   * ```ts
   * zThreshold: 6
   * ```
   */
  zThreshold?: number;
  /**
   * Vectors in the centroid window: the centroid is taken over the last
   * `window / 2` to `window` vectors (two halves, the older dropped when the
   * newer fills). Default 1,000; 2 to 10,000,000.
   *
   * @example
   * ```ts
   * window: 5000
   * ```
   */
  window?: number;
  /**
   * Vectors needed in the window before a distance is reported (NaN
   * before). Default 100, at most `window / 2`.
   *
   * @example
   * ```ts
   * minRows: 50
   * ```
   */
  minRows?: number;
}

const WHERE = 'embeddingMonitor(options)';

/**
 * Watches vectors (embeddings, or feature rows) against a reference:
 * `ml_embedding_centroid_distance{source, distance}` (cosine distance and
 * Euclidean distance between the window's centroid and the reference
 * centroid, computed at collection) and `ml_outlier_rows_total{source}`
 * (vectors with a dimension beyond `zThreshold` reference standard
 * deviations) over `ml_embedding_rows_total{source}`. O(dimensions) per
 * vector, nothing allocated; no second model.
 *
 * @example
 * ```ts
 * const embeddings = embeddingMonitor({ reference, output: (result) => result.embedding });
 * instrument(embed, { model: 'encoder', version: '3', drift: embeddings });
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export function embeddingMonitor<Args extends unknown[] = any[], Result = any>(options: EmbeddingMonitorOptions<Args, Result>): InferenceObserver {
  return new EmbeddingWatch(options as unknown as EmbeddingMonitorOptions);
}

class EmbeddingWatch implements InferenceObserver, QualityMember {
  readonly mean: Float64Array;
  readonly inverseStd: Float64Array;
  readonly dimensions: number;
  readonly inputOf: ((...args: unknown[]) => unknown) | undefined;
  readonly outputOf: ((result: unknown) => unknown) | undefined;
  readonly zThreshold: number;
  readonly half: number;
  readonly minRows: number;
  private readonly _series = new Map<string, EmbeddingSeries>();

  constructor(options: EmbeddingMonitorOptions) {
    if (options === null || typeof options !== 'object') throw new InferometerConfigError('options', `${WHERE}: options must be an object such as { reference, input: (rows) => rows }`, ['an object']);
    const reference = options.reference;
    if (
      reference === null ||
      typeof reference !== 'object' ||
      reference.format !== EMBEDDING_REFERENCE_FORMAT ||
      reference.version !== 1 ||
      !Array.isArray(reference.mean) ||
      !Array.isArray(reference.std) ||
      reference.mean.length === 0 ||
      reference.mean.length > MAX_EMBEDDING_DIMENSIONS ||
      reference.std.length !== reference.mean.length ||
      !reference.mean.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
      !reference.std.every((x) => typeof x === 'number' && x >= 0 && Number.isFinite(x))
    ) {
      throw new InferometerConfigError('reference', `${WHERE}: option "reference" must be an embedding reference from buildEmbeddingReference(vectors) (format "${EMBEDDING_REFERENCE_FORMAT}", version 1, mean and std of equal length)`, ['an EmbeddingReference']);
    }
    if (options.input === undefined && options.output === undefined) throw new InferometerConfigError('input', `${WHERE}: give option "input" (vectors from the arguments) or "output" (vectors from the result)`, ['a function']);
    for (const name of ['input', 'output'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') throw new InferometerConfigError(name, `${WHERE}: option "${name}" must be a function`, ['a function']);
    }
    const z = options.zThreshold ?? 4;
    if (typeof z !== 'number' || !(z > 0) || !Number.isFinite(z)) throw new InferometerConfigError('zThreshold', `${WHERE}: option "zThreshold" must be a positive number of standard deviations; got ${String(options.zThreshold)}`, ['a positive number']);
    const window = options.window ?? 1000;
    if (!Number.isInteger(window) || window < 2 || window > 10_000_000) throw new InferometerConfigError('window', `${WHERE}: option "window" must be a whole number of vectors from 2 to 10000000; got ${String(options.window)}`, ['a whole number from 2 to 10000000']);
    const half = Math.floor(window / 2);
    const minRows = options.minRows ?? Math.min(100, half);
    if (!Number.isInteger(minRows) || minRows < 1 || minRows > half) throw new InferometerConfigError('minRows', `${WHERE}: option "minRows" must be a whole number from 1 to window / 2 (${half}); got ${String(options.minRows)}`, [`a whole number from 1 to ${half}`]);
    this.dimensions = reference.mean.length;
    this.mean = Float64Array.from(reference.mean);
    // A dimension constant in the reference: any other value is an outlier.
    this.inverseStd = Float64Array.from(reference.std, (s) => (s > 0 ? 1 / s : Number.POSITIVE_INFINITY));
    this.inputOf = options.input as typeof this.inputOf;
    this.outputOf = options.output;
    this.zThreshold = z;
    this.half = half;
    this.minRows = minRows;
    qualityRegistry().add(this);
  }

  bind(series: { readonly model: string; readonly version: string }): BoundInferenceObserver {
    const key = `${series.model}\u0000${series.version}`;
    let bound = this._series.get(key);
    if (bound === undefined) {
      bound = new EmbeddingSeries(this, series.model, series.version);
      this._series.set(key, bound);
    }
    return bound.hooks;
  }

  collect(result: BatchObservableResult, instruments: QualityInstruments): void {
    for (const series of this._series.values()) series.collect(result, instruments);
  }
}

/** The centroid window and outlier count of one source of one model version. */
class VectorWindow implements RowSink {
  /** Sums of the older and the newer half. */
  private _older: Float64Array;
  private _newer: Float64Array;
  private _olderRows = 0;
  private _newerRows = 0;
  rows = 0;
  outliers = 0;
  /** The current row's largest |z|, against the threshold. */
  private _rowOutlier = false;
  readonly attributes: Attributes;
  readonly cosine: Attributes;
  readonly euclidean: Attributes;

  constructor(
    private readonly _watch: EmbeddingWatch,
    base: Attributes,
    source: string,
  ) {
    this._older = new Float64Array(_watch.dimensions);
    this._newer = new Float64Array(_watch.dimensions);
    this.attributes = { ...base, [ATTR_SOURCE]: source };
    this.cosine = { ...this.attributes, [ATTR_DISTANCE]: 'cosine' };
    this.euclidean = { ...this.attributes, [ATTR_DISTANCE]: 'euclidean' };
  }

  value(k: number, v: unknown): void {
    const x = typeof v === 'number' ? v : Number.NaN;
    if (x !== x || x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) {
      // Not a usable number: the row is an outlier, and adds nothing to the centroid.
      this._rowOutlier = true;
      return;
    }
    const watch = this._watch;
    this._newer[k]! += x;
    const diff = x - watch.mean[k]!;
    if (diff !== 0 && Math.abs(diff) * watch.inverseStd[k]! > watch.zThreshold) this._rowOutlier = true;
  }

  endRow(): void {
    this.rows++;
    if (this._rowOutlier) {
      this.outliers++;
      this._rowOutlier = false;
    }
    if (++this._newerRows >= this._watch.half) {
      const recycled = this._older;
      recycled.fill(0);
      this._older = this._newer;
      this._olderRows = this._newerRows;
      this._newer = recycled;
      this._newerRows = 0;
    }
  }

  collect(result: BatchObservableResult, instruments: QualityInstruments): void {
    result.observe(instruments.embeddingRows, this.rows, this.attributes);
    result.observe(instruments.outlierRows, this.outliers, this.attributes);
    const n = this._olderRows + this._newerRows;
    if (n < this._watch.minRows) {
      result.observe(instruments.centroidDistance, Number.NaN, this.cosine);
      result.observe(instruments.centroidDistance, Number.NaN, this.euclidean);
      return;
    }
    const mean = this._watch.mean;
    let dot = 0;
    let norm = 0;
    let refNorm = 0;
    let squared = 0;
    for (let k = 0; k < mean.length; k++) {
      const c = (this._older[k]! + this._newer[k]!) / n;
      const r = mean[k]!;
      dot += c * r;
      norm += c * c;
      refNorm += r * r;
      squared += (c - r) * (c - r);
    }
    // Cosine distance is undefined for a zero vector: NaN, a gap in Prometheus.
    result.observe(instruments.centroidDistance, norm > 0 && refNorm > 0 ? 1 - dot / Math.sqrt(norm * refNorm) : Number.NaN, this.cosine);
    result.observe(instruments.centroidDistance, Math.sqrt(squared), this.euclidean);
  }
}

class EmbeddingSeries {
  readonly hooks: BoundInferenceObserver = {};
  private readonly _input: VectorWindow | undefined;
  private readonly _output: VectorWindow | undefined;

  constructor(
    private readonly _watch: EmbeddingWatch,
    private readonly _model: string,
    version: string,
  ) {
    const base = { [ATTR_MODEL_NAME]: _model, [ATTR_MODEL_VERSION]: version };
    if (_watch.inputOf !== undefined) {
      const window = new VectorWindow(_watch, base, 'input');
      this._input = window;
      const read = _watch.inputOf;
      this.hooks.input = (args) => {
        let vectors: unknown;
        try {
          vectors = Reflect.apply(read, undefined, args);
        } catch (err) {
          this._failed(err);
          return;
        }
        this._ingest(window, vectors);
      };
    }
    if (_watch.outputOf !== undefined) {
      const window = new VectorWindow(_watch, base, 'output');
      this._output = window;
      const read = _watch.outputOf;
      this.hooks.output = (result) => {
        let vectors: unknown;
        try {
          vectors = read(result);
        } catch (err) {
          this._failed(err);
          return;
        }
        this._ingest(window, vectors);
      };
    }
  }

  private _failed(err: unknown): void {
    reportError('embedding extractor', err);
    driftRegistry().dropped(this._model, DRIFT_DROP_REASONS.extractor);
  }

  private _ingest(window: VectorWindow, vectors: unknown): void {
    if (vectors === undefined || vectors === null) return;
    const dropped = walkRows(vectors, this._watch.dimensions, undefined, window);
    if (dropped === UNSUPPORTED_ROWS) driftRegistry().dropped(this._model, DRIFT_DROP_REASONS.unsupported);
    else if (dropped > 0) driftRegistry().dropped(this._model, DRIFT_DROP_REASONS.shape, dropped);
  }

  collect(result: BatchObservableResult, instruments: QualityInstruments): void {
    this._input?.collect(result, instruments);
    this._output?.collect(result, instruments);
  }
}
