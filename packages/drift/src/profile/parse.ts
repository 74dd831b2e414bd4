import { resolveLimits, MAX_BINS, type DriftLimits } from '../limits.js';
import {
  PROFILE_FORMAT,
  PROFILE_VERSION,
  type CategoricalFeatureProfile,
  type FeatureProfile,
  type NumericFeatureProfile,
  type PredictionProfile,
  type ReferenceProfile,
} from './format.js';

/** A profile that cannot be used: the message names the field and what was expected. */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

/** Proportions must sum to 1 within this (JSON round-trips and float sums). */
const SUM_TOLERANCE = 1e-6;

/**
 * Checks a parsed JSON value against the reference profile format (version
 * {@link PROFILE_VERSION}) and the caps in `limits`, and returns it typed.
 * Throws a {@link ProfileError} naming the first bad field: a newer format
 * version, too many features or categories, edges out of order, proportions
 * that do not sum to 1.
 *
 * @example
 * ```ts
 * const reference = parseProfile(JSON.parse(readFileSync('reference.json', 'utf8')));
 * ```
 */
export function parseProfile(value: unknown, limits?: DriftLimits): ReferenceProfile {
  const caps = resolveLimits('parseProfile(value, limits)', limits);
  const root = object(value, 'profile');
  if (root.format !== PROFILE_FORMAT) {
    throw new ProfileError(`profile: "format" must be "${PROFILE_FORMAT}"; got ${show(root.format)}. Build one with inferometer-profile data.csv > reference.json`);
  }
  if (root.version !== PROFILE_VERSION) {
    const newer = typeof root.version === 'number' && root.version > PROFILE_VERSION;
    throw new ProfileError(
      newer
        ? `profile: format version ${root.version} is newer than this @inferometer/drift reads (${PROFILE_VERSION}); upgrade @inferometer/drift`
        : `profile: "version" must be ${PROFILE_VERSION}; got ${show(root.version)}`,
    );
  }
  const rows = count(root.rows, 'profile.rows');
  if (!Array.isArray(root.features) || root.features.length === 0) {
    throw new ProfileError(`profile: "features" must be a non-empty array; got ${show(root.features)}`);
  }
  if (root.features.length > caps.maxFeatures) {
    throw new ProfileError(`profile: ${root.features.length} features is more than the limit of ${caps.maxFeatures} (option limits.maxFeatures); profile fewer columns`);
  }
  const names = new Set<string>();
  const features = root.features.map((f: unknown, i: number) => {
    const feature = parseFeature(f, `profile.features[${i}]`, caps.maxCategories);
    if (names.has(feature.name)) throw new ProfileError(`profile.features[${i}]: duplicate feature name ${show(feature.name)}`);
    names.add(feature.name);
    return feature;
  });
  let predictions: PredictionProfile | undefined;
  if (root.predictions !== undefined) {
    const p = object(root.predictions, 'profile.predictions');
    const cls = p.class === undefined ? undefined : parseFeature(p.class, 'profile.predictions.class', caps.maxCategories);
    const conf = p.confidence === undefined ? undefined : parseFeature(p.confidence, 'profile.predictions.confidence', caps.maxCategories);
    if (cls !== undefined && cls.type !== 'categorical') throw new ProfileError('profile.predictions.class: must be a categorical profile');
    if (conf !== undefined && conf.type !== 'numeric') throw new ProfileError('profile.predictions.confidence: must be a numeric profile');
    predictions = { ...(cls && { class: cls }), ...(conf && { confidence: conf }) };
  }
  return { format: PROFILE_FORMAT, version: PROFILE_VERSION, rows, features, ...(predictions && { predictions }) };
}

function parseFeature(value: unknown, path: string, maxCategories: number): FeatureProfile {
  const f = object(value, path);
  if (typeof f.name !== 'string' || f.name.length === 0 || f.name.length > 128) {
    throw new ProfileError(`${path}.name: must be a string of 1 to 128 characters; got ${show(f.name)}`);
  }
  const where = `${path} (${f.name})`;
  if (f.type === 'numeric') {
    const edges = numbers(f.edges, `${where}.edges`);
    if (edges.length + 1 > MAX_BINS) throw new ProfileError(`${where}.edges: ${edges.length + 1} bins is more than ${MAX_BINS}`);
    for (let i = 1; i < edges.length; i++) {
      if (!(edges[i]! > edges[i - 1]!)) throw new ProfileError(`${where}.edges: must be strictly increasing; edge ${i} (${edges[i]}) is not above edge ${i - 1} (${edges[i - 1]})`);
    }
    const proportions = shares(f.proportions, `${where}.proportions`, edges.length + 1, 'edges.length + 1');
    const min = finite(f.min, `${where}.min`);
    const max = finite(f.max, `${where}.max`);
    const feature: NumericFeatureProfile = {
      name: f.name, type: 'numeric', count: count(f.count, `${where}.count`), missing: count(f.missing, `${where}.missing`),
      min, max, edges, proportions,
    };
    return feature;
  }
  if (f.type === 'categorical') {
    if (!Array.isArray(f.categories) || f.categories.length === 0 || !f.categories.every((c) => typeof c === 'string')) {
      throw new ProfileError(`${where}.categories: must be a non-empty array of strings; got ${show(f.categories)}`);
    }
    const categories = f.categories as string[];
    if (categories.length > maxCategories) {
      throw new ProfileError(`${where}.categories: ${categories.length} categories is more than the limit of ${maxCategories} (option limits.maxCategories); profile the column as numeric, or leave it out`);
    }
    if (new Set(categories).size !== categories.length) throw new ProfileError(`${where}.categories: must not repeat a category`);
    const proportions = shares(f.proportions, `${where}.proportions`, categories.length, 'categories.length');
    const feature: CategoricalFeatureProfile = {
      name: f.name, type: 'categorical', count: count(f.count, `${where}.count`), missing: count(f.missing, `${where}.missing`),
      categories, proportions,
    };
    return feature;
  }
  throw new ProfileError(`${where}.type: must be "numeric" or "categorical"; got ${show(f.type)}`);
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ProfileError(`${path}: must be an object; got ${show(value)}`);
  return value as Record<string, unknown>;
}

function count(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ProfileError(`${path}: must be a whole number >= 0; got ${show(value)}`);
  return value;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ProfileError(`${path}: must be a finite number; got ${show(value)}`);
  return value;
}

function numbers(value: unknown, path: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ProfileError(`${path}: must be an array of finite numbers; got ${show(value)}`);
  }
  return value as number[];
}

function shares(value: unknown, path: string, length: number, expected: string): number[] {
  const list = numbers(value, path);
  if (list.length !== length) throw new ProfileError(`${path}: must have ${expected} = ${length} entries; got ${list.length}`);
  let sum = 0;
  for (const p of list) {
    if (p < 0 || p > 1) throw new ProfileError(`${path}: every share must be between 0 and 1; got ${p}`);
    sum += p;
  }
  if (Math.abs(sum - 1) > SUM_TOLERANCE) throw new ProfileError(`${path}: shares must sum to 1; they sum to ${sum}`);
  return list;
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 60)}...` : text;
  } catch {
    return typeof value;
  }
}
