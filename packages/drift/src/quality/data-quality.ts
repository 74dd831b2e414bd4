import type { Attributes, BatchObservableResult } from '@opentelemetry/api';
import { InferometerConfigError, type BoundInferenceObserver, type InferenceObserver } from '@inferometer/core';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION } from '@inferometer/core/catalog';
import { ATTR_FEATURE, DRIFT_DROP_REASONS } from '../catalog.js';
import { ATTR_ISSUE, type DataQualityIssue } from '../quality-catalog.js';
import { resolveLimits, type DriftLimits } from '../limits.js';
import type { CategoricalFeatureProfile, ReferenceProfile } from '../profile/format.js';
import { parseProfile, ProfileError } from '../profile/parse.js';
import { reportError } from '../monitor/diagnostics.js';
import { driftRegistry } from '../monitor/registry.js';
import { qualityRegistry, type QualityInstruments, type QualityMember } from './registry.js';
import { UNSUPPORTED_ROWS, walkRows, type RowSink } from './rows.js';

/** Options of {@link dataQualityMonitor}. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's arguments
export interface DataQualityOptions<Args extends unknown[] = any[]> {
  /**
   * The reference profile, the drift monitor's (`buildProfile`, the
   * `inferometer-profile` CLI): each numeric feature's observed min and max
   * and each categorical feature's categories are the checks.
   *
   * @example
   * ```ts
   * reference: JSON.parse(readFileSync('reference.json', 'utf8'))
   * ```
   */
  reference: unknown;
  /**
   * Reads the features from the call's arguments, as for `driftMonitor`:
   * rows of values, one row, records, or a `[rows, features]` tensor.
   *
   * @example
   * ```ts
   * features: (rows: number[][]) => rows
   * ```
   */
  features: (...args: Args) => unknown;
  /**
   * The model's feature names in column order, when they differ from the
   * profile's order.
   *
   * @example
   * ```ts
   * featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']
   * ```
   */
  featureNames?: readonly string[];
  /**
   * Limits on the profile, as for `driftMonitor`.
   *
   * @example
   * ```ts
   * limits: { maxFeatures: 500 }
   * ```
   */
  limits?: DriftLimits;
}

/** Issue indices: the order of DATA_QUALITY_ISSUES. */
const MISSING = 0;
const NAN = 1;
const INFINITE = 2;
const OUT_OF_RANGE = 3;
const UNSEEN = 4;
const WRONG_TYPE = 5;
const ISSUES = 6;
const NAMES: readonly DataQualityIssue[] = ['missing', 'nan', 'infinite', 'out_of_range', 'unseen_category', 'wrong_type'];
const NUMERIC_ISSUES = [MISSING, NAN, INFINITE, OUT_OF_RANGE, WRONG_TYPE];
const CATEGORICAL_ISSUES = [MISSING, UNSEEN, WRONG_TYPE];

const WHERE = 'dataQualityMonitor(options)';

/**
 * Checks every input value against the reference profile and counts what
 * fails, per feature and issue, in
 * `ml_data_quality_issues_total{model_name, model_version, feature, issue}`
 * (with `ml_data_quality_rows_total` as the denominator): missing values,
 * NaN, infinities, numbers outside the profile's observed [min, max],
 * categories the profile never had, and values of the wrong type. Per value:
 * a type test and two comparisons (numeric) or one map lookup (categorical),
 * into a typed array; nothing is allocated.
 *
 * Pass it as the `drift` option, or beside a drift monitor built from the
 * same profile with `combineObservers`.
 *
 * @example
 * ```ts
 * const quality = dataQualityMonitor({ reference, features: (rows: number[][]) => rows });
 * instrument(predict, { model: 'iris', version: '1.0.0', drift: combineObservers(driftMonitor({ reference, features: (rows) => rows }), quality) });
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export function dataQualityMonitor<Args extends unknown[] = any[]>(options: DataQualityOptions<Args>): InferenceObserver {
  return new QualityMonitor(options as unknown as DataQualityOptions);
}

class QualityMonitor implements InferenceObserver, QualityMember {
  readonly features: (...args: unknown[]) => unknown;
  readonly names: readonly string[];
  readonly numeric: Uint8Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly categories: (Set<unknown> | undefined)[];
  private readonly _series = new Map<string, QualitySeries>();

  constructor(options: DataQualityOptions) {
    if (options === null || typeof options !== 'object') {
      throw new InferometerConfigError('options', `${WHERE}: options must be an object such as { reference, features: (rows) => rows }`, ['an object']);
    }
    const limits = resolveLimits(WHERE, options.limits);
    let reference: ReferenceProfile;
    try {
      reference = parseProfile(options.reference, limits);
    } catch (err) {
      if (err instanceof ProfileError) throw new ProfileError(`${WHERE}: option "reference" is not a usable profile: ${err.message}`);
      throw err;
    }
    if (typeof options.features !== 'function') {
      throw new InferometerConfigError('features', `${WHERE}: option "features" must be a function reading the features from the call's arguments, e.g. (rows) => rows; got ${typeof options.features}`, ['a function']);
    }
    this.features = options.features as (...args: unknown[]) => unknown;
    let profiles = [...reference.features];
    if (options.featureNames !== undefined) {
      const byName = new Map(profiles.map((p) => [p.name, p]));
      const names = options.featureNames;
      if (!Array.isArray(names) || names.length !== profiles.length || names.some((n) => !byName.has(n)) || new Set(names).size !== names.length) {
        throw new ProfileError(`${WHERE}: option "featureNames" must name each of the profile's features once (${profiles.map((p) => p.name).join(', ')})`);
      }
      profiles = names.map((n) => byName.get(n)!);
    }
    const n = profiles.length;
    this.names = profiles.map((p) => p.name);
    this.numeric = new Uint8Array(n);
    this.min = new Float64Array(n);
    this.max = new Float64Array(n);
    this.categories = new Array<Set<unknown> | undefined>(n);
    profiles.forEach((p, j) => {
      if (p.type === 'numeric') {
        this.numeric[j] = 1;
        // The observed range, widened to its float32 roundings: a model's
        // input tensor is float32, and 6.9 read as float32 is 6.9000001
        // (the same reason profile edges lie between reference values).
        this.min[j] = Math.min(p.min, Math.fround(p.min));
        this.max[j] = Math.max(p.max, Math.fround(p.max));
      } else {
        this.categories[j] = categorySet(p);
      }
    });
    qualityRegistry().add(this);
  }

  bind(series: { readonly model: string; readonly version: string }): BoundInferenceObserver {
    const key = `${series.model}\u0000${series.version}`;
    let bound = this._series.get(key);
    if (bound === undefined) {
      bound = new QualitySeries(this, series.model, series.version);
      this._series.set(key, bound);
    }
    return bound;
  }

  collect(result: BatchObservableResult, instruments: QualityInstruments): void {
    for (const series of this._series.values()) series.collect(result, instruments);
  }
}

/** One model version's counts, and the per-call check. */
class QualitySeries implements BoundInferenceObserver, RowSink {
  readonly counts: Float64Array;
  rows = 0;
  private readonly _attributes: Attributes;
  private readonly _issueAttributes: { index: number; attributes: Attributes }[] = [];

  constructor(
    private readonly _monitor: QualityMonitor,
    readonly model: string,
    version: string,
  ) {
    const features = _monitor.names.length;
    this.counts = new Float64Array(features * ISSUES);
    this._attributes = { [ATTR_MODEL_NAME]: model, [ATTR_MODEL_VERSION]: version };
    for (let j = 0; j < features; j++) {
      for (const issue of _monitor.numeric[j] === 1 ? NUMERIC_ISSUES : CATEGORICAL_ISSUES) {
        this._issueAttributes.push({ index: j * ISSUES + issue, attributes: { ...this._attributes, [ATTR_FEATURE]: _monitor.names[j]!, [ATTR_ISSUE]: NAMES[issue]! } });
      }
    }
  }

  input(args: readonly unknown[]): void {
    let input: unknown;
    try {
      input = Reflect.apply(this._monitor.features, undefined, args);
    } catch (err) {
      reportError('data-quality features extractor', err);
      driftRegistry().dropped(this.model, DRIFT_DROP_REASONS.extractor);
      return;
    }
    if (input === undefined || input === null) return;
    const dropped = walkRows(input, this._monitor.names.length, this._monitor.names, this);
    if (dropped === UNSUPPORTED_ROWS) driftRegistry().dropped(this.model, DRIFT_DROP_REASONS.unsupported);
    else if (dropped > 0) driftRegistry().dropped(this.model, DRIFT_DROP_REASONS.shape, dropped);
  }

  /** One value of feature j: the hot path. */
  value(j: number, v: unknown): void {
    const monitor = this._monitor;
    const at = j * ISSUES;
    if (monitor.numeric[j] === 1) {
      if (typeof v === 'number') {
        // In range is the common case: two comparisons, nothing counted.
        if (v >= monitor.min[j]! && v <= monitor.max[j]!) return;
        if (v !== v) this.counts[at + NAN]!++;
        else if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) this.counts[at + INFINITE]!++;
        else this.counts[at + OUT_OF_RANGE]!++;
        return;
      }
      if (v === null || v === undefined || v === '') this.counts[at + MISSING]!++;
      else if (typeof v === 'bigint') {
        const x = Number(v);
        if (x < monitor.min[j]! || x > monitor.max[j]!) this.counts[at + OUT_OF_RANGE]!++;
      } else this.counts[at + WRONG_TYPE]!++;
      return;
    }
    if (v === null || v === undefined || v === '') {
      this.counts[at + MISSING]!++;
      return;
    }
    const type = typeof v;
    if (type === 'object' || type === 'function' || type === 'symbol') {
      this.counts[at + WRONG_TYPE]!++;
      return;
    }
    if (!monitor.categories[j]!.has(v)) this.counts[at + UNSEEN]!++;
  }

  endRow(): void {
    this.rows++;
  }

  collect(result: BatchObservableResult, instruments: QualityInstruments): void {
    result.observe(instruments.qualityRows, this.rows, this._attributes);
    for (const { index, attributes } of this._issueAttributes) result.observe(instruments.qualityIssues, this.counts[index]!, attributes);
  }
}

/** The profile's categories, as strings and (where they read as one) numbers, bigints and booleans. */
function categorySet(profile: CategoricalFeatureProfile): Set<unknown> {
  const set = new Set<unknown>();
  for (const category of profile.categories) {
    set.add(category);
    const number = Number(category);
    if (category.trim() !== '' && Number.isFinite(number)) {
      set.add(number);
      if (Number.isInteger(number)) set.add(BigInt(number));
    }
    if (category === 'true') set.add(true);
    if (category === 'false') set.add(false);
  }
  return set;
}
