/**
 * The reference profile: what "normal" looks like for each feature, built
 * once from training data and shipped with the model. JSON, with a
 * format tag and a version so that a newer file is refused with a clear
 * message instead of being misread. The JSON schema of this format ships in
 * the package as `schema/reference-profile.v1.schema.json`.
 *
 * @packageDocumentation
 */

/** Value of {@link ReferenceProfile.format}. */
export const PROFILE_FORMAT = 'inferometer-drift-profile' as const;
/** The format version this package writes and reads. */
export const PROFILE_VERSION = 1 as const;

/**
 * A numeric feature: quantile bin edges and the share of reference values in
 * each bin. Bin `i` holds values `v` with `edges[i-1] <= v < edges[i]` (the
 * first bin is open below, the last open above), so there are
 * `edges.length + 1` proportions. Edges lie halfway between two distinct
 * reference values, never on one, so rounding (float64 training data vs
 * float32 tensors) does not move a value across an edge.
 */
export interface NumericFeatureProfile {
  /** Feature (column) name. */
  readonly name: string;
  readonly type: 'numeric';
  /** Reference values that were numbers. */
  readonly count: number;
  /** Reference values that were empty, NaN or not numbers (left out of the proportions). */
  readonly missing: number;
  /** Smallest and largest reference value (informative). */
  readonly min: number;
  readonly max: number;
  /** Interior bin edges, strictly increasing. */
  readonly edges: readonly number[];
  /** Share of reference values per bin, `edges.length + 1` numbers summing to 1. */
  readonly proportions: readonly number[];
}

/**
 * A categorical feature: the categories seen in the reference, most frequent
 * first, and the share of each. At run time a value not listed falls into an
 * "other" bin whose reference share is 0.
 */
export interface CategoricalFeatureProfile {
  /** Feature (column) name. */
  readonly name: string;
  readonly type: 'categorical';
  /** Reference values that were present. */
  readonly count: number;
  /** Reference values that were empty. */
  readonly missing: number;
  /** Category values, as strings, most frequent first. */
  readonly categories: readonly string[];
  /** Share of each category, same order, summing to 1. */
  readonly proportions: readonly number[];
}

/** One feature of a profile. */
export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile;

/** Reference distributions of the model's outputs, for prediction drift. */
export interface PredictionProfile {
  /** Predicted classes (categorical). */
  readonly class?: CategoricalFeatureProfile;
  /** Confidence of each prediction, 0 to 1 (numeric). */
  readonly confidence?: NumericFeatureProfile;
}

/**
 * A reference profile, as written by `buildProfile` and the
 * `inferometer-profile` CLI, and read by `parseProfile`.
 *
 * @example
 * ```json
 * { "format": "inferometer-drift-profile", "version": 1, "rows": 150,
 *   "features": [{ "name": "petal_length", "type": "numeric", "count": 150, "missing": 0,
 *                  "min": 1, "max": 6.9, "edges": [1.55, 4.25], "proportions": [0.29, 0.33, 0.38] }] }
 * ```
 */
export interface ReferenceProfile {
  readonly format: typeof PROFILE_FORMAT;
  readonly version: typeof PROFILE_VERSION;
  /** Rows the profile was built from. */
  readonly rows: number;
  /** Features, in the column order of the training data. */
  readonly features: readonly FeatureProfile[];
  /** Output distributions, when the training data had prediction columns. */
  readonly predictions?: PredictionProfile;
}
