/**
 * The health page's figures and renderer, apart from the live sampler: the
 * `@inferometer/node/page` subpath, which imports nothing that runs beside
 * the catalogs and core's exposition parser, so `inferometer doctor
 * --report` (in `@inferometer/ops`) writes the same view from one scrape.
 *
 * @example
 * ```ts
 * import { parseExposition } from '@inferometer/core/prometheus';
 * import * as driftCatalog from '@inferometer/drift/catalog';
 * import { figuresOf, renderHealthPage, snapshotOf } from '@inferometer/node/page';
 *
 * const snapshot = snapshotOf(parseExposition(body), Date.now(), driftCatalog);
 * const { figures, distributions } = figuresOf(snapshot, undefined);
 * const html = renderHealthPage({ source: url, at: snapshot.at, figures, distributions });
 * ```
 *
 * @packageDocumentation
 */
export { figuresOf, quantile, snapshotOf } from './figures.js';
export type { Buckets, DriftCatalogNames, DriftThresholds, Distribution, Figure, PageFigures, Section, Snapshot, Unit, VersionSnapshot } from './figures.js';
export { format, renderHealthPage } from './render.js';
export type { PageView } from './render.js';
export { MAX_PAGE_SERIES, MAX_RING_BYTES, MAX_SERIES_KEY_LENGTH, PAGE_SAMPLE_INTERVAL_MILLIS, PAGE_SAMPLES, SeriesRing } from './ring.js';
