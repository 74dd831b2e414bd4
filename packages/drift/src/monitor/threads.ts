/**
 * Drift across worker threads: one score per feature and method over the
 * union of every thread's window, not one score per thread.
 *
 * A window holds counts per bin, and the reference profile fixes the bins,
 * so the sum of the threads' counts is exactly the union window's counts;
 * scoring that sum gives what one thread that saw every row would report.
 * Each thread sends its windows' counts beside its points (core's
 * thread-parts.ts, through `@inferometer/node`'s thread aggregation); the
 * main thread adds the windows of one (model, version, profile) and scores
 * them with the same code as a single thread ({@link scoreWindow}). The main
 * thread imports this module on first need (`@inferometer/drift/threads`),
 * so a pool whose drift lives only in its threads needs nothing more.
 *
 * @internal
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { runtime, type PartMerge, type PartMerger, type PartPoint } from '@inferometer/core/internal';
import { METRIC_DATA_DRIFT_SCORE, METRIC_PREDICTION_DRIFT_SCORE } from '../catalog.js';
import { cohensW } from '../stats/chi-squared.js';
import { jensenShannon } from '../stats/jensen-shannon.js';
import { ksBinned } from '../stats/ks.js';
import { psi } from '../stats/psi.js';
import type { DriftMethod } from '../catalog.js';

/** Name of drift's thread part. */
export const DRIFT_PART = 'drift';
/** The module the main thread imports for the merger. */
export const DRIFT_PART_MODULE = '@inferometer/drift/threads';
/** Instrumentation scope of the drift gauges. */
export const DRIFT_SCOPE = '@inferometer/drift';

/** One feature of a scored window: where its bins are in the totals, its reference and what to report. */
export interface ScoredFeature {
  readonly offset: number;
  readonly bins: number;
  /** Reference shares, `bins` long (a Float64Array survives the trip between threads as one). */
  readonly expected: Float64Array;
  readonly methods: readonly DriftMethod[];
  /** One per method, in order. */
  readonly attributes: readonly Attributes[];
}

/**
 * Scores every feature of a window whose counts per slot are `totals`,
 * calling `observe` once per feature and method. `scratch` holds two arrays
 * per feature at least `bins` long (counts, shares), reused across calls.
 */
export function scoreWindow(
  totals: ArrayLike<number>,
  features: readonly ScoredFeature[],
  scratch: { readonly counts: readonly Float64Array[]; readonly shares: readonly Float64Array[] },
  observe: (value: number, attributes: Attributes) => void,
): void {
  for (let j = 0; j < features.length; j++) {
    const feature = features[j]!;
    const counts = scratch.counts[j]!;
    const shares = scratch.shares[j]!;
    let present = 0;
    for (let b = 0; b < feature.bins; b++) {
      counts[b] = totals[feature.offset + b]!;
      present += counts[b]!;
    }
    for (let b = 0; b < feature.bins; b++) shares[b] = present === 0 ? 0 : counts[b]! / present;
    for (let m = 0; m < feature.methods.length; m++) {
      // Only missing values in the window: nothing to compare.
      observe(present === 0 ? Number.NaN : score(feature.methods[m]!, feature.expected, shares, counts), feature.attributes[m]!);
    }
  }
}

/** Scratch arrays for {@link scoreWindow}. */
export function scratchFor(features: readonly ScoredFeature[]): { counts: Float64Array[]; shares: Float64Array[] } {
  return { counts: features.map((f) => new Float64Array(f.bins)), shares: features.map((f) => new Float64Array(f.bins)) };
}

function score(method: DriftMethod, reference: Float64Array, shares: Float64Array, counts: Float64Array): number {
  switch (method) {
    case 'psi':
      return psi(reference, shares);
    case 'ks':
      return ksBinned(reference, shares);
    case 'js':
      return jensenShannon(reference, shares);
    case 'chi2':
      // Cohen's w, not X2: X2 grows with the window's rows (its healthy mean
      // is bins - 1), so no single threshold would fit every window size.
      return cohensW(reference, counts);
  }
}

/** One thread's window, as sent to the main thread. */
export interface WindowContribution {
  /** Windows with one key are added: (model, version, what is watched, the profile and settings). */
  readonly key: string;
  readonly gauge: 'data' | 'prediction';
  readonly minRows: number;
  readonly rows: number;
  readonly totals: readonly number[];
  readonly features: readonly ScoredFeature[];
}

function isContribution(value: unknown): value is WindowContribution {
  if (value === null || typeof value !== 'object') return false;
  const c = value as Partial<WindowContribution>;
  return (
    typeof c.key === 'string' &&
    (c.gauge === 'data' || c.gauge === 'prediction') &&
    Number.isFinite(c.minRows) &&
    Number.isFinite(c.rows) &&
    Array.isArray(c.totals) &&
    Array.isArray(c.features) &&
    c.features.every((f) => f !== null && typeof f === 'object' && f.expected instanceof Float64Array && f.offset + f.bins <= c.totals!.length)
  );
}

/**
 * The main thread's merger (core's PartMerger): adds the windows of one key
 * from every thread and scores the sum. A window that fell below its
 * `minRows` after reporting reports NaN (as a single thread's does: see
 * Scored.report), so alerts on it resolve.
 */
export const mergeThreadParts: PartMerger = (contributions: readonly unknown[], endTime: HrTime): PartMerge => {
  const reported = runtime().shared('@inferometer/drift:merged-keys', () => new Set<string>());
  const union = new Map<string, { first: WindowContribution; rows: number; totals: Float64Array }>();
  for (const contribution of contributions) {
    if (!Array.isArray(contribution)) continue;
    for (const window of contribution) {
      if (!isContribution(window)) continue;
      const found = union.get(window.key);
      if (found === undefined) {
        union.set(window.key, { first: window, rows: window.rows, totals: Float64Array.from(window.totals) });
        continue;
      }
      // Same key, same profile: the same slots.
      if (found.totals.length !== window.totals.length) continue;
      found.rows += window.rows;
      for (let i = 0; i < window.totals.length; i++) found.totals[i]! += window.totals[i]!;
    }
  }
  const data: PartPoint[] = [];
  const prediction: PartPoint[] = [];
  for (const [key, { first, rows, totals }] of union) {
    const points = first.gauge === 'data' ? data : prediction;
    const observe = (value: number, attributes: Attributes): void => {
      points.push({ startTime: endTime, endTime, attributes, value });
    };
    if (rows < first.minRows) {
      if (reported.has(key)) for (const feature of first.features) for (const attributes of feature.attributes) observe(Number.NaN, attributes);
      continue;
    }
    reported.add(key);
    scoreWindow(totals, first.features, scratchFor(first.features), observe);
  }
  return {
    scope: DRIFT_SCOPE,
    replaces: [METRIC_DATA_DRIFT_SCORE.name, METRIC_PREDICTION_DRIFT_SCORE.name],
    gauges: [
      { name: METRIC_DATA_DRIFT_SCORE.name, description: METRIC_DATA_DRIFT_SCORE.description, unit: METRIC_DATA_DRIFT_SCORE.unit, points: data },
      { name: METRIC_PREDICTION_DRIFT_SCORE.name, description: METRIC_PREDICTION_DRIFT_SCORE.description, unit: METRIC_PREDICTION_DRIFT_SCORE.unit, points: prediction },
    ],
  };
};
