import { InferometerConfigError } from '@inferometer/core';
import { DRIFT_METHODS, type DriftMethod } from '../catalog.js';

/** Methods per feature kind: PSI, KS and Jensen-Shannon for numeric features; chi-squared and Jensen-Shannon for categorical ones. */
export const DEFAULT_METHODS = {
  numeric: ['psi', 'ks', 'js'],
  categorical: ['chi2', 'js'],
} as const satisfies { numeric: readonly DriftMethod[]; categorical: readonly DriftMethod[] };

/**
 * Which statistics to compute, per feature kind. KS needs ordered values, so
 * it is refused for categorical features.
 *
 * @example
 * ```ts
 * methods: { numeric: ['psi'], categorical: ['chi2', 'psi'] }
 * ```
 */
export interface DriftMethods {
  /** For numeric features (default `['psi', 'ks', 'js']`). @example `numeric: ['psi', 'js']` */
  readonly numeric?: readonly DriftMethod[];
  /** For categorical features (default `['chi2', 'js']`). @example `categorical: ['js']` */
  readonly categorical?: readonly DriftMethod[];
}

/**
 * Thresholds per method, one meaning for all four: `critical` is the shift
 * PSI 0.25 calls significant, `warning` the one PSI 0.1 calls moderate (the
 * credit-scoring bands; Siddiqi, *Credit Risk Scorecards*, 2006; Yurdakul,
 * "Statistical properties of the population stability index", 2018). The
 * other methods' figures are the same shift on their scale:
 *
 * - `chi2` is Cohen's w (see `cohensW`), and w^2 is PSI to second order:
 *   PSI 0.25 is w = 0.5, which Cohen (1988) also calls a large effect; 0.1 is
 *   w = 0.32, Cohen's medium (0.3).
 * - `js`: the Jensen-Shannon divergence is PSI / 8 to second order (in
 *   nats), so the distance in bits is sqrt(PSI / (8 ln 2)): 0.2 for 0.25,
 *   0.13 for 0.1.
 * - `ks`: KS depends on the shape; for a normal feature shifted by d standard
 *   deviations PSI tends to d^2 and KS to 2 Phi(d / 2) - 1. PSI 0.25 is half
 *   a standard deviation, KS 0.2; PSI 0.1 is KS 0.125.
 *
 * Healthy windows stay well below `critical`: the README's table gives p50
 * and p99 of every score over simulated windows of the demo's reference, and
 * the tests assert that none of 2000 windows of 300 or 1000 rows crosses it.
 */
export const DEFAULT_THRESHOLDS = {
  /** PSI above 0.1: moderate shift; above 0.25: significant shift (convention). */
  psi: { warning: 0.1, critical: 0.25 },
  /** KS statistic: the normal shift PSI 0.1 / 0.25 stands for (a third / half a standard deviation). */
  ks: { warning: 0.125, critical: 0.2 },
  /** Jensen-Shannon distance (bits): sqrt(PSI / 8 ln 2) at PSI 0.1 / 0.25. */
  js: { warning: 0.13, critical: 0.2 },
  /** Cohen's w of the chi-squared test: sqrt(PSI) at PSI 0.1 / 0.25; Cohen's medium and large. */
  chi2: { warning: 0.3, critical: 0.5 },
} as const satisfies Record<DriftMethod, { readonly warning: number; readonly critical: number }>;

/** Methods as bit flags, for the collection loop. @internal */
export const METHOD_BITS: Readonly<Record<DriftMethod, number>> = { psi: 1, ks: 2, js: 4, chi2: 8 };

/** Checks one kind's method list. @internal */
export function resolveMethods(where: string, kind: 'numeric' | 'categorical', list: readonly DriftMethod[] | undefined): readonly DriftMethod[] {
  const methods = list ?? DEFAULT_METHODS[kind];
  if (!Array.isArray(methods) || !methods.every((m) => (DRIFT_METHODS as readonly string[]).includes(m))) {
    throw new InferometerConfigError(`methods.${kind}`, `${where}: option "methods.${kind}" must be an array of ${DRIFT_METHODS.map((m) => `'${m}'`).join(', ')}; got ${JSON.stringify(list)}`, [...DRIFT_METHODS]);
  }
  if (kind === 'categorical' && methods.includes('ks')) {
    throw new InferometerConfigError('methods.categorical', `${where}: option "methods.categorical" cannot include 'ks': the Kolmogorov-Smirnov statistic needs ordered values; use 'chi2', 'js' or 'psi'`, ['chi2', 'js', 'psi']);
  }
  return [...new Set(methods)];
}
