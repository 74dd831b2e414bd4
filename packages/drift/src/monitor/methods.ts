/** A drift statistic, as the `method` attribute shows it. */
export type DriftMethod = 'psi' | 'ks' | 'js' | 'chi2';

/** Every method, in the order scores are reported. */
export const DRIFT_METHODS: readonly DriftMethod[] = ['psi', 'ks', 'js', 'chi2'];

/** Methods per feature kind (issue 6): PSI, KS and Jensen-Shannon for numeric features; chi-squared and Jensen-Shannon for categorical ones. */
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
 * Documented default thresholds (issue 6). Only PSI's bands are widely
 * shared, and they are a convention (credit scoring), not a test; the others
 * follow the drift tools' defaults. `ks` and `chi2` depend on the sample
 * sizes: derive them with `ksCriticalValue(windowRows, profileRows)` and
 * `chiSquaredCritical(categories - 1)`.
 */
export const DEFAULT_THRESHOLDS = {
  /** PSI above 0.1: moderate shift; above 0.25: significant shift (convention). */
  psi: { warning: 0.1, critical: 0.25 },
  /**
   * Jensen-Shannon distance above 0.1: drift (Evidently's default for large
   * samples). There is no shared second band; 0.2 is this package's choice.
   */
  js: { warning: 0.1, critical: 0.2 },
} as const;

/** Methods as bit flags, for the collection loop. @internal */
export const METHOD_BITS: Readonly<Record<DriftMethod, number>> = { psi: 1, ks: 2, js: 4, chi2: 8 };

/** Checks one kind's method list. @internal */
export function resolveMethods(where: string, kind: 'numeric' | 'categorical', list: readonly DriftMethod[] | undefined): readonly DriftMethod[] {
  const methods = list ?? DEFAULT_METHODS[kind];
  if (!Array.isArray(methods) || !methods.every((m) => (DRIFT_METHODS as readonly string[]).includes(m))) {
    throw new TypeError(`${where}: option "methods.${kind}" must be an array of ${DRIFT_METHODS.map((m) => `'${m}'`).join(', ')}; got ${JSON.stringify(list)}`);
  }
  if (kind === 'categorical' && methods.includes('ks')) {
    throw new TypeError(`${where}: option "methods.categorical" cannot include 'ks': the Kolmogorov-Smirnov statistic needs ordered values; use 'chi2', 'js' or 'psi'`);
  }
  return [...new Set(methods)];
}
