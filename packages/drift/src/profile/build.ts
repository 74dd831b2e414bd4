import { InferometerConfigError } from '@inferometer/core';
import { DEFAULT_BINS, MAX_BINS, resolveLimits, type DriftLimits } from '../limits.js';
import {
  PROFILE_FORMAT,
  PROFILE_VERSION,
  type CategoricalFeatureProfile,
  type FeatureProfile,
  type NumericFeatureProfile,
  type PredictionProfile,
  type ReferenceProfile,
} from './format.js';
import { MISSING_TOKENS } from './missing.js';
import { ProfileError } from './parse.js';
import { binOf, quantileEdges } from './quantile-edges.js';

/** A value in training data: numbers for numeric features, strings (or numbers, booleans) for categorical ones. */
export type ReferenceValue = number | string | boolean | bigint | null | undefined;

/**
 * Training data for {@link buildProfile}, in one of three shapes:
 * - `{ columns }`: typed columns by feature name (`Float64Array`, `number[]`, `string[]`);
 * - `{ rows, featureNames }`: an array of rows, each with one value per name, in that order;
 * - `{ records }`: an array of objects keyed by feature name.
 *
 * @example
 * ```ts
 * { rows: [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4]], featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] }
 * { columns: { age: Float64Array.from(ages), country: countries } }
 * { records: [{ age: 31, country: 'fr' }, { age: 45, country: 'de' }] }
 * ```
 */
export type ProfileInput =
  | { readonly columns: Readonly<Record<string, ArrayLike<ReferenceValue>>> }
  | { readonly rows: ArrayLike<ArrayLike<ReferenceValue>>; readonly featureNames: readonly string[] }
  | { readonly records: ArrayLike<Readonly<Record<string, ReferenceValue>>> };

/** Options of {@link buildProfile}. */
export interface BuildProfileOptions {
  /**
   * Quantile bins per numeric feature (default {@link DEFAULT_BINS} = 10, at
   * most 100). Ten is the usual choice for PSI; fewer bins are used when ties
   * leave fewer distinct quantiles.
   *
   * @example
   * ```ts
   * bins: 20
   * ```
   */
  bins?: number;
  /**
   * Features to treat as categorical even though their values are numbers
   * (codes, small integers). Columns of strings are categorical anyway.
   *
   * @example
   * ```ts
   * categorical: ['zip_code', 'plan_id']
   * ```
   */
  categorical?: readonly string[];
  /**
   * The model's outputs on the same training rows, for prediction drift:
   * predicted classes and confidence (0 to 1).
   *
   * @example
   * ```ts
   * predictions: { class: predictedLabels, confidence: topProbabilities }
   * ```
   */
  predictions?: { class?: ArrayLike<ReferenceValue>; confidence?: ArrayLike<number> };
  /** Caps on features and categories; see {@link DriftLimits}. @example `limits: { maxCategories: 200 }` */
  limits?: DriftLimits;
}

/**
 * Builds a reference profile from training data: quantile bins and their
 * shares for numeric features, category shares for categorical ones. A
 * feature is numeric when every present value is a number (or, for string
 * data such as CSV, parses as one), unless listed in `categorical`. Missing:
 * `null`, `undefined`, NaN and the strings '', 'NA', 'N/A', 'NaN', 'nan',
 * 'null', 'NULL', 'None'.
 *
 * Throws a {@link ProfileError} for data it cannot profile: ragged rows, a
 * feature with no values, more features or categories than `limits` allows.
 *
 * @example
 * ```ts
 * import { buildProfile } from '@inferometer/drift';
 *
 * const reference = buildProfile({ rows: trainingRows, featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] });
 * writeFileSync('reference.json', JSON.stringify(reference));
 * ```
 */
export function buildProfile(input: ProfileInput, options: BuildProfileOptions = {}): ReferenceProfile {
  const where = 'buildProfile(input, options)';
  const caps = resolveLimits(where, options.limits);
  const bins = options.bins ?? DEFAULT_BINS;
  if (!Number.isInteger(bins) || bins < 2 || bins > MAX_BINS) {
    throw new InferometerConfigError('bins', `${where}: option "bins" must be a whole number from 2 to ${MAX_BINS}; got ${String(options.bins)}`, [`a whole number from 2 to ${MAX_BINS}`]);
  }
  const categorical = new Set(options.categorical ?? []);
  const columns = toColumns(input);
  const names = Object.keys(columns);
  if (names.length === 0) throw new ProfileError('buildProfile: the data has no features');
  if (names.length > caps.maxFeatures) {
    throw new ProfileError(`buildProfile: ${names.length} features is more than the limit of ${caps.maxFeatures} (option limits.maxFeatures); leave some columns out`);
  }
  for (const name of categorical) {
    if (!(name in columns)) throw new ProfileError(`buildProfile: option "categorical" names ${JSON.stringify(name)}, which is not a feature of the data (${names.join(', ')})`);
  }
  let rows = -1;
  const features = names.map((name) => {
    const column = columns[name]!;
    if (rows === -1) rows = column.length;
    else if (column.length !== rows) {
      throw new ProfileError(`buildProfile: column ${JSON.stringify(name)} has ${column.length} values; the first column has ${rows}`);
    }
    return profileColumn(name, column, categorical.has(name), bins, caps.maxCategories);
  });
  let predictions: PredictionProfile | undefined;
  if (options.predictions !== undefined) {
    const { class: cls, confidence } = options.predictions;
    const classProfile = cls === undefined ? undefined : profileColumn('class', cls, true, bins, caps.maxCategories) as CategoricalFeatureProfile;
    let confidenceProfile: NumericFeatureProfile | undefined;
    if (confidence !== undefined) {
      const profiled = profileColumn('confidence', confidence, false, bins, caps.maxCategories);
      if (profiled.type !== 'numeric' || profiled.min < 0 || profiled.max > 1) {
        throw new ProfileError('buildProfile: option "predictions.confidence" must hold numbers from 0 to 1');
      }
      confidenceProfile = profiled;
    }
    predictions = { ...(classProfile && { class: classProfile }), ...(confidenceProfile && { confidence: confidenceProfile }) };
  }
  return { format: PROFILE_FORMAT, version: PROFILE_VERSION, rows: Math.max(rows, 0), features, ...(predictions && { predictions }) };
}

/** The input forms `buildProfile` accepts, as an `InferometerConfigError` lists them. */
const INPUT_FORMS = ['{ columns }', '{ rows, featureNames }', '{ records }'];

function toColumns(input: ProfileInput): Record<string, ArrayLike<ReferenceValue>> {
  if (input === null || typeof input !== 'object') {
    throw new InferometerConfigError('input', 'buildProfile(input, options): input must be { columns }, { rows, featureNames } or { records }', INPUT_FORMS);
  }
  if ('columns' in input) {
    if (input.columns === null || typeof input.columns !== 'object') {
      throw new InferometerConfigError('input.columns', 'buildProfile(input, options): input.columns must be an object of feature name to array of values', ['an object of feature name to array of values']);
    }
    return { ...input.columns };
  }
  if ('rows' in input) {
    const { rows, featureNames } = input;
    if (!Array.isArray(featureNames) || !featureNames.every((n) => typeof n === 'string' && n.length > 0)) {
      throw new InferometerConfigError('input.featureNames', 'buildProfile(input, options): input.featureNames must be an array of feature names, one per value in a row', ['an array of feature names, one per value in a row']);
    }
    if (new Set(featureNames).size !== featureNames.length) throw new ProfileError('buildProfile: input.featureNames repeats a name');
    const columns: Record<string, ReferenceValue[]> = {};
    for (const name of featureNames) columns[name] = new Array<ReferenceValue>(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      if (row === null || typeof row !== 'object' || row.length !== featureNames.length) {
        throw new ProfileError(`buildProfile: row ${r} has ${row?.length ?? 0} values; featureNames has ${featureNames.length}`);
      }
      for (let j = 0; j < featureNames.length; j++) columns[featureNames[j]!]![r] = row[j];
    }
    return columns;
  }
  if ('records' in input) {
    const { records } = input;
    const names: string[] = [];
    const seen = new Set<string>();
    for (let r = 0; r < records.length; r++) {
      for (const key of Object.keys(records[r] ?? {})) {
        if (!seen.has(key)) {
          seen.add(key);
          names.push(key);
        }
      }
    }
    const columns: Record<string, ReferenceValue[]> = {};
    for (const name of names) {
      const column = new Array<ReferenceValue>(records.length);
      for (let r = 0; r < records.length; r++) column[r] = records[r]?.[name];
      columns[name] = column;
    }
    return columns;
  }
  throw new InferometerConfigError('input', 'buildProfile(input, options): input must be { columns }, { rows, featureNames } or { records }', INPUT_FORMS);
}

/** Profiles one column: numeric unless asked otherwise or a present value is not a number. @internal */
export function profileColumn(
  name: string,
  values: ArrayLike<ReferenceValue>,
  forceCategorical: boolean,
  bins: number,
  maxCategories: number,
): FeatureProfile {
  let numeric = !forceCategorical;
  let present = 0;
  if (numeric) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (isMissing(v)) continue;
      present++;
      if (toNumber(v) === undefined) {
        numeric = false;
        break;
      }
    }
  }
  if (numeric) {
    const finite = new Float64Array(values.length);
    let n = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (isMissing(v)) continue;
      const x = toNumber(v);
      if (x !== undefined) finite[n++] = x;
    }
    if (n === 0) throw new ProfileError(`buildProfile: feature ${JSON.stringify(name)} has no values`);
    return numericProfile(name, finite.subarray(0, n), values.length - n, bins);
  }
  const counts = new Map<string, number>();
  present = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    present++;
    const key = String(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (counts.size > maxCategories) {
      throw new ProfileError(`buildProfile: feature ${JSON.stringify(name)} has more than ${maxCategories} distinct values (option limits.maxCategories); profile it as numeric, or leave it out`);
    }
  }
  if (present === 0) throw new ProfileError(`buildProfile: feature ${JSON.stringify(name)} has no values`);
  return categoricalProfile(name, counts, values.length - present);
}

/** A numeric profile from finite values (sorted here, in place). @internal */
export function numericProfile(name: string, values: Float64Array, missing: number, bins: number): NumericFeatureProfile {
  values.sort();
  const edges = quantileEdges(values, bins);
  const edgeArray = Float64Array.from(edges);
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) counts[binOf(edgeArray, 0, edges.length, values[i]!)]! += 1;
  return {
    name,
    type: 'numeric',
    count: values.length,
    missing,
    min: values[0]!,
    max: values[values.length - 1]!,
    edges,
    proportions: Array.from(counts, (c) => c / values.length),
  };
}

/** A categorical profile from category counts: most frequent first, ties by name. @internal */
export function categoricalProfile(name: string, counts: ReadonlyMap<string, number>, missing: number): CategoricalFeatureProfile {
  const entries = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const total = entries.reduce((sum, [, c]) => sum + c, 0);
  return {
    name,
    type: 'categorical',
    count: total,
    missing,
    categories: entries.map(([category]) => category),
    proportions: entries.map(([, c]) => c / total),
  };
}

function isMissing(v: ReferenceValue): boolean {
  return v === null || v === undefined || (typeof v === 'string' && MISSING_TOKENS.has(v.trim())) || (typeof v === 'number' && !Number.isFinite(v));
}

/** A number from a value that is one, or a string that reads as one (CSV). */
function toNumber(v: ReferenceValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const trimmed = v.trim();
    if (trimmed === '') return undefined;
    const x = Number(trimmed);
    return Number.isFinite(x) ? x : undefined;
  }
  return undefined;
}
