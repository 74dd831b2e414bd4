/**
 * `inferometer doctor --report report.html`: the health page of the live
 * endpoint (`GET /` of `@inferometer/node`'s pull endpoint), written from the
 * doctor's one scrape of a remote endpoint, so it can be attached to an
 * incident. The same figures and renderer as the live page
 * (`@inferometer/node/page`), current values only: one scrape has no rates
 * and no history. Drift scores are drawn against the alert thresholds.
 */
import type { Exposition } from '@inferometer/core/prometheus';
import * as driftCatalog from '@inferometer/drift/catalog';
import { figuresOf, renderHealthPage, snapshotOf, type DriftThresholds } from '@inferometer/node/page';
import { DEFAULT_DRIFT_THRESHOLDS } from '../options.js';

/** The health page of `exposition`, scraped from `metricsUrl` at `at` (ms since the epoch). */
export function renderHealthReport(exposition: Exposition, metricsUrl: string, at: number): string {
  const thresholds: DriftThresholds = Object.fromEntries(Object.entries(DEFAULT_DRIFT_THRESHOLDS).map(([method, critical]) => [method, { critical }]));
  const { figures, distributions } = figuresOf(snapshotOf(exposition, at, driftCatalog), undefined, thresholds);
  return renderHealthPage({
    source: metricsUrl,
    at,
    figures,
    distributions,
    notes: ['Written by inferometer doctor --report from one scrape: figures since the process started, no rates or history (the live page at / of the endpoint charts the last 15 minutes). Drift thresholds are the alerts\u2019 critical ones.'],
  });
}
