/**
 * The live health page at `GET /` of the pull endpoint's own server: a
 * sampler that collects every {@link PAGE_SAMPLE_INTERVAL_MILLIS} into a ring
 * buffer while someone looks, and the request handler that renders it.
 *
 * No cost when nobody looks: the sampler starts on the first request of the
 * page and stops (its ring emptied) {@link PAGE_IDLE_MILLIS} after the last
 * one; nothing runs on the predict path, the figures come from the same
 * collection a scrape makes, rendered and parsed as a scrape would be.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import { parseExposition } from '@inferometer/core/prometheus';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { DEFAULT_COLLECT_TIMEOUT_MILLIS, DEFAULT_MAX_CONCURRENT_SCRAPES, DEFAULT_WRITE_TIMEOUT_MILLIS, writeBody, type MetricsRequestHandler, type ScrapeLimits, type ScrapeStats } from '../prometheus/handler.js';
import { RENDER_CHUNK_BYTES } from '../prometheus/coordinator.js';
import { serialize } from '../prometheus/serializer.js';
import { figuresOf, snapshotOf, type DriftCatalogNames, type DriftThresholds, type PageFigures, type Snapshot } from './figures.js';
import { renderHealthPage } from './render.js';
import { PAGE_SAMPLE_INTERVAL_MILLIS, PAGE_SAMPLES, SeriesRing } from './ring.js';

/** The sampler stops this long after the page was last requested (its own refresh requests it every 5 s while open). */
export const PAGE_IDLE_MILLIS = 120_000;
/** The path of the page on the pull endpoint's own server. */
export const HEALTH_PAGE_PATH = '/';

/** What the page needs of the pull endpoint. */
export interface HealthPageSource {
  readonly reader: Pick<MetricReader, 'collect'>;
  /** The endpoint's refusals and cut-offs. */
  readonly stats: () => ScrapeStats;
  /** The limits the endpoint's `/metrics` runs with: the page runs with the same. */
  readonly limits: ScrapeLimits;
}

/** Timing of the sampler, for tests. */
export interface SamplerTiming {
  readonly intervalMillis?: number;
  readonly idleMillis?: number;
}

/** Loads `@inferometer/drift`'s catalog and thresholds when installed (an optional peer); without it no drift metric exists. */
async function loadDrift(): Promise<{ names?: DriftCatalogNames; thresholds: DriftThresholds }> {
  try {
    const [catalog, drift] = await Promise.all([import('@inferometer/drift/catalog'), import('@inferometer/drift')]);
    return { names: catalog, thresholds: drift.DEFAULT_THRESHOLDS };
  } catch {
    return { thresholds: {} };
  }
}

/** Collects into a ring buffer while the page is looked at. */
export class PageSampler {
  readonly ring = new SeriesRing(PAGE_SAMPLES);
  private _timer: NodeJS.Timeout | undefined;
  private _lastViewed = 0;
  private _previous: Snapshot | undefined;
  private _latest: { readonly at: number; readonly figures: PageFigures } | undefined;
  private _sampling: Promise<void> | undefined;
  private _drift: Promise<{ names?: DriftCatalogNames; thresholds: DriftThresholds }> | undefined;
  private _told = false;
  /** Samples that failed in a row (the page says so; diag is told once per run of failures). */
  private _failing = 0;
  /** Samples taken since the process started (a test waits on it). */
  samples = 0;
  /** Pages rendered: one per sample and source, shared by every request that reads it. */
  renders = 0;
  private _page: { readonly samples: number; readonly failing: number; readonly source: string; readonly body: Buffer } | undefined;
  private readonly _interval: number;
  private readonly _idle: number;

  constructor(
    private readonly _source: HealthPageSource,
    timing: SamplerTiming = {},
  ) {
    this._interval = timing.intervalMillis ?? PAGE_SAMPLE_INTERVAL_MILLIS;
    this._idle = timing.idleMillis ?? PAGE_IDLE_MILLIS;
  }

  /** Whether the sampler runs. */
  get running(): boolean {
    return this._timer !== undefined;
  }

  /** The page was requested: start if stopped (taking a first sample at once), and push the idle stop back. Resolves when a sample exists. */
  async view(): Promise<void> {
    this._lastViewed = performance.now();
    if (this._timer === undefined) {
      this._timer = setInterval(() => this._tick(), this._interval);
      this._timer.unref();
      void this._sample();
    }
    if (this._latest === undefined) await this._sampling;
  }

  /** The page as UTF-8 HTML, rendered once per sample (concurrent readers share it); `source` names where the figures come from. */
  page(source: string): Buffer {
    const cached = this._page;
    if (cached !== undefined && cached.samples === this.samples && cached.failing === this._failing && cached.source === source) return cached.body;
    const body = Buffer.from(this.render(source), 'utf8');
    this.renders++;
    this._page = { samples: this.samples, failing: this._failing, source, body };
    return body;
  }

  /** The page as HTML; `source` names where the figures come from. */
  render(source: string): string {
    const latest = this._latest;
    const ring = this.ring;
    const notes = [
      `Sampled every ${this._interval / 1000} s while this page is open (the sampler stops ${this._idle / 60_000} minutes after it was last loaded); rates and "last interval" figures are between the last two samples.`,
    ];
    if (this._failing > 0) notes.push(`${this._failing === 1 ? 'The last collection' : `The last ${this._failing} collections`} failed (see the process' diagnostics); the figures are from the last one that succeeded.`);
    if (ring.refused > 0) notes.push(`${ring.refused} figures have no chart: the history holds at most ${ring.maxSeries} series.`);
    return renderHealthPage({
      source,
      at: latest?.at ?? Date.now(),
      figures: latest?.figures.figures ?? [],
      distributions: latest?.figures.distributions ?? [],
      history: { times: ring.times(), values: (key) => ring.values(key), windowMillis: ring.capacity * this._interval },
      refreshSeconds: this._interval / 1000,
      notes,
    });
  }

  /** Stops sampling and lets the history go. */
  stop(): void {
    if (this._timer !== undefined) clearInterval(this._timer);
    this._timer = undefined;
    this._previous = undefined;
    this._latest = undefined;
    this._page = undefined;
    this.ring.clear();
  }

  private _tick(): void {
    if (performance.now() - this._lastViewed > this._idle) {
      this.stop();
      return;
    }
    void this._sample();
  }

  private _sample(): Promise<void> {
    // A slow collection is not stacked on: the tick is skipped.
    if (this._sampling !== undefined) return this._sampling;
    this._sampling = this._take().finally(() => (this._sampling = undefined));
    return this._sampling;
  }

  private async _take(): Promise<void> {
    try {
      this._drift ??= loadDrift();
      const drift = await this._drift;
      // The sample's time is the collection's start: every count in it is at
      // least what it was then (the browser test orders scrapes by it).
      const at = Date.now();
      const { resourceMetrics, errors } = await this._source.reader.collect({ timeoutMillis: this._source.limits.collectTimeoutMillis ?? DEFAULT_COLLECT_TIMEOUT_MILLIS });
      if (errors.length > 0) throw errors[0];
      if (this._timer === undefined) return; // stopped meanwhile
      const snapshot = snapshotOf(parseExposition(serialize(resourceMetrics)), at, drift.names);
      const stats = this._source.stats();
      const figures = figuresOf(snapshot, this._previous, drift.thresholds, { refused: stats.refused, timedOut: stats.timedOut, failed: stats.failed, cutOff: stats.cutOff });
      this._previous = snapshot;
      this._latest = { at, figures };
      this.ring.push(at, new Map(figures.figures.map((figure) => [figure.key, figure.value])));
      this.samples++;
      this._told = false;
      this._failing = 0;
    } catch (err) {
      this._failing++;
      if (!this._told) {
        this._told = true;
        diag.error('@inferometer/node: the health page could not collect the metrics; it shows the previous sample', err);
      }
    }
  }
}

/**
 * The page's request handler: `GET` and `HEAD` of {@link HEALTH_PAGE_PATH},
 * under the same limits as `/metrics`: at most `maxConcurrentScrapes` at
 * once (one more is answered 503), and a reader slower than
 * `writeTimeoutMillis` is cut off.
 */
export function createHealthPageHandler(source: HealthPageSource, timing: SamplerTiming = {}): MetricsRequestHandler & { readonly sampler: PageSampler } {
  const sampler = new PageSampler(source, timing);
  const maxConcurrent = source.limits.maxConcurrentScrapes ?? DEFAULT_MAX_CONCURRENT_SCRAPES;
  const writeTimeout = source.limits.writeTimeoutMillis ?? DEFAULT_WRITE_TIMEOUT_MILLIS;
  let active = 0;
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      plain(response, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    if (active >= maxConcurrent) {
      plain(response, 503, `Service Unavailable: ${maxConcurrent} requests are being served already (maxConcurrentScrapes); retry later\n`, { 'Retry-After': '1' });
      return;
    }
    active++;
    response.once('close', () => active--);
    void sampler.view().then(() => {
      if (response.destroyed) return;
      const scheme = 'encrypted' in request.socket && request.socket.encrypted === true ? 'https' : 'http';
      const body = sampler.page(`${scheme}://${request.headers.host ?? 'localhost'}/metrics`);
      response.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': body.byteLength,
        'Cache-Control': 'no-store',
        // Everything is inline: the page may fetch itself (its refresh) and nothing else.
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        'X-Content-Type-Options': 'nosniff',
      });
      if (request.method === 'HEAD') {
        response.end();
        return;
      }
      // Written as /metrics' bodies are, a chunk at a time with backpressure
      // (views of the one shared page, not copies): one end(page) left the
      // whole page in the socket's own buffer and, on Node 22, 'finish' came
      // at once, so a reader that never read was never cut off.
      const chunks: Buffer[] = [];
      for (let at = 0; at < body.byteLength; at += RENDER_CHUNK_BYTES) chunks.push(body.subarray(at, at + RENDER_CHUNK_BYTES));
      // A cut-off reader is the reader's trouble, not the service's: nothing to tell.
      void writeBody(response, chunks, writeTimeout, () => undefined);
    });
  };
  return Object.assign(handler, { sampler });
}

function plain(response: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
