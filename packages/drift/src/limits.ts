/**
 * Bounds on what a reference profile may hold: every
 * feature, method and model version is a series, and every bin is memory in
 * the window, so both are capped with defaults that may be raised up to the
 * hard limits below, never past them.
 *
 * @packageDocumentation
 */

import { InferometerConfigError } from '@inferometer/core';

/** Default most features a profile may have. Override with `limits.maxFeatures`. */
export const DEFAULT_MAX_FEATURES = 100;
/** Default most categories per categorical feature. Override with `limits.maxCategories`. */
export const DEFAULT_MAX_CATEGORIES = 64;
/** Default number of quantile bins per numeric feature. */
export const DEFAULT_BINS = 10;

/** Hard limit on `limits.maxFeatures`. */
export const HARD_MAX_FEATURES = 1000;
/** Hard limit on `limits.maxCategories` (slots are stored as 16-bit integers). */
export const HARD_MAX_CATEGORIES = 1000;
/** Most bins per numeric feature. */
export const MAX_BINS = 100;

/**
 * Most window cells (rows kept x features) one count window may hold: 16 M
 * cells of 2 bytes is 32 MiB per model version. Bigger windows are refused at
 * construction; use a time window instead.
 */
export const MAX_WINDOW_CELLS = 16 * 1024 * 1024;

/** The caps in force, after defaults. */
export interface DriftLimits {
  /**
   * Most features a profile may have (default {@link DEFAULT_MAX_FEATURES},
   * at most {@link HARD_MAX_FEATURES}). Each feature is up to four series per
   * model version.
   *
   * @example
   * ```ts
   * limits: { maxFeatures: 300 }
   * ```
   */
  readonly maxFeatures?: number;
  /**
   * Most categories per categorical feature (default
   * {@link DEFAULT_MAX_CATEGORIES}, at most {@link HARD_MAX_CATEGORIES}).
   * Values not in the profile share one "other" bin.
   *
   * @example
   * ```ts
   * limits: { maxCategories: 200 }
   * ```
   */
  readonly maxCategories?: number;
}

/** Checks `limits` (throwing with the option's name) and fills in the defaults. @internal */
export function resolveLimits(where: string, limits: DriftLimits | undefined): Required<DriftLimits> {
  if (limits === undefined) return { maxFeatures: DEFAULT_MAX_FEATURES, maxCategories: DEFAULT_MAX_CATEGORIES };
  if (limits === null || typeof limits !== 'object') {
    throw new InferometerConfigError('limits', `${where}: option "limits" must be an object such as { maxFeatures: 200, maxCategories: 100 }`, ['an object such as { maxFeatures: 200, maxCategories: 100 }']);
  }
  return {
    maxFeatures: checkLimit(where, 'limits.maxFeatures', limits.maxFeatures, DEFAULT_MAX_FEATURES, HARD_MAX_FEATURES),
    maxCategories: checkLimit(where, 'limits.maxCategories', limits.maxCategories, DEFAULT_MAX_CATEGORIES, HARD_MAX_CATEGORIES),
  };
}

function checkLimit(where: string, name: string, value: unknown, fallback: number, hard: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > hard) {
    throw new InferometerConfigError(name, `${where}: option "${name}" must be a whole number from 1 to ${hard}; got ${String(value)}`, [`a whole number from 1 to ${hard}`]);
  }
  return value;
}
