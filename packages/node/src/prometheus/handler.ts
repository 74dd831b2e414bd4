import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { TimeoutError, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { negotiate, type ExpositionFormat } from './negotiation.js';
import { bodyKey, nextTurn, readCatalog, ScrapeCoordinator, type Body, type Collected, type ScrapeRound } from './coordinator.js';
import { steppedCatalogOf, withoutProducer } from '../native/producer.js';
import { ERROR_CAUSES, REFUSAL_REASONS, type RefusalReason, type ScrapeFormat } from './names.js';
import { EndpointMetrics } from './self-metrics.js';

export { PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE } from './negotiation.js';

/** Default of {@link ScrapeLimits.collectTimeoutMillis}: under Prometheus' default scrape timeout of 10 s. */
export const DEFAULT_COLLECT_TIMEOUT_MILLIS = 9_000;
/** Default of {@link ScrapeLimits.writeTimeoutMillis}: Prometheus' default scrape timeout, after which it has given up anyway. */
export const DEFAULT_WRITE_TIMEOUT_MILLIS = 10_000;
/** Default of {@link ScrapeLimits.maxConcurrentScrapes}: bodies at once (each a collection's rendering in one format and encoding, however many scrapes read it); scrapes asking for every format, gzip on and off, twice over. */
export const DEFAULT_MAX_CONCURRENT_SCRAPES = 16;
/**
 * Scrapes answered at once, however many share a body: each holds a socket
 * and its kernel buffers (not a copy of the body), and is cut off after
 * {@link ScrapeLimits.writeTimeoutMillis}; past this many, `503`.
 */
export const MAX_SCRAPE_SOCKETS = 1_024;
/** Taken off the `X-Prometheus-Scrape-Timeout-Seconds` Prometheus sends, so the 503 reaches it before it gives up (at most half the timeout). */
export const SCRAPE_TIMEOUT_MARGIN_MILLIS = 500;
/** Longest collection wait a `X-Prometheus-Scrape-Timeout-Seconds` header can ask for. */
export const MAX_COLLECT_TIMEOUT_MILLIS = 120_000;
/** `Retry-After` (seconds) of a scrape refused for being one too many. */
const RETRY_AFTER_SECONDS = '1';

/**
 * Limits of the pull endpoint: what any client, however slow or numerous,
 * can make the serving process hold and wait for.
 */
export interface ScrapeLimits {
  /**
   * Milliseconds a scrape waits for the collection (observable callbacks,
   * producers) and the rendering before it is answered `503` with a
   * plain-text message. A request with Prometheus'
   * `X-Prometheus-Scrape-Timeout-Seconds` header gets that timeout less
   * {@link SCRAPE_TIMEOUT_MARGIN_MILLIS} instead (at most
   * {@link MAX_COLLECT_TIMEOUT_MILLIS}). Default {@link DEFAULT_COLLECT_TIMEOUT_MILLIS}.
   *
   * @example
   * ```ts
   * collectTimeoutMillis: 5_000
   * ```
   */
  collectTimeoutMillis?: number;
  /**
   * Milliseconds from the first byte of a response to its last; a client
   * that reads slower is cut off (its connection destroyed), so slow readers
   * cannot pile up. Default {@link DEFAULT_WRITE_TIMEOUT_MILLIS}.
   *
   * @example
   * ```ts
   * writeTimeoutMillis: 30_000
   * ```
   */
  writeTimeoutMillis?: number;
  /**
   * Exposition bodies rendered or sent at once; a scrape that would need
   * one more is answered `503` with `Retry-After` at once. Concurrent
   * scrapes share one collection and one rendered body per format and
   * encoding, so this counts bodies, not sockets: 200 Prometheus scrapes
   * arriving together are one body, all answered (sockets are bounded by
   * {@link MAX_SCRAPE_SOCKETS}). Default {@link DEFAULT_MAX_CONCURRENT_SCRAPES}.
   *
   * @example
   * ```ts
   * maxConcurrentScrapes: 4
   * ```
   */
  maxConcurrentScrapes?: number;
  /**
   * Compress with gzip when the scraper's `Accept-Encoding` allows it
   * (Prometheus always sends `gzip`); compression runs on libuv's thread
   * pool. Default `true`.
   *
   * @example
   * ```ts
   * gzip: false
   * ```
   */
  gzip?: boolean;
  /**
   * Write OpenMetrics `_created` samples (each counter's and histogram's
   * start time). Default `false`: Prometheus 2.x stores each as a series of
   * its own, doubling the counter series.
   *
   * @example
   * ```ts
   * openMetricsCreated: true
   * ```
   */
  openMetricsCreated?: boolean;
  /**
   * Write `created_timestamp` (each counter's and histogram's start: when
   * its series began, a series released and created again starting anew) in
   * the protobuf exposition, which Prometheus reads with
   * `--enable-feature=created-timestamp-zero-ingestion` so a counter created
   * between two scrapes keeps its first increase in `rate()`. Default `true`;
   * `INFEROMETER_PROMETHEUS_CREATED_TIMESTAMPS=false` turns it off under
   * `start()`. The text formats are not affected (OpenMetrics' `_created`
   * samples are {@link openMetricsCreated}).
   *
   * @example
   * ```ts
   * createdTimestamps: false
   * ```
   */
  createdTimestamps?: boolean;
}

/** What the endpoint refused or cut short since it was created. */
export interface ScrapeStats {
  /** Scrapes answered `503` at once: {@link ScrapeLimits.maxConcurrentScrapes} bodies or {@link MAX_SCRAPE_SOCKETS} scrapes were being served, or earlier collections still hang. */
  readonly refused: number;
  /** Scrapes answered `503` because the collection did not finish in time. */
  readonly timedOut: number;
  /** Scrapes answered `500` because the collection failed. */
  readonly failed: number;
  /** Responses cut off by {@link ScrapeLimits.writeTimeoutMillis}. */
  readonly cutOff: number;
  /** Families left out of an exposition because their name collided with an earlier family's (once per family per scrape). */
  readonly droppedFamilies: number;
}

/**
 * A request handler that serves the exposition: `(req, res) => void`, the
 * signature of `node:http` and Express; on Fastify, pass `request.raw` and
 * `reply.raw` after `reply.hijack()`.
 */
export type MetricsRequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** Options of {@link createPrometheusReader}. */
export interface PrometheusReaderOptions extends ScrapeLimits {
  /**
   * Producers of externally aggregated data to serve too, such as
   * {@link createCatalogProducer}'s for Inferometer's fast path.
   *
   * @example
   * ```ts
   * metricProducers: [createCatalogProducer('cumulative').producer]
   * ```
   */
  metricProducers?: MetricProducer[];
}

/** A Prometheus pull reader and the handler that serves it. */
export interface PrometheusPullReader {
  /** The reader: give it to a MeterProvider's `readers`. */
  readonly reader: PrometheusExporter;
  /** Serves `GET` (and `HEAD`) with the exposition; mount it wherever `/metrics` should be. */
  readonly handler: MetricsRequestHandler;
  /**
   * What the handler refused or cut short so far (every such event is also
   * told to diag, once per kind until a scrape succeeds, and counted in the
   * endpoint's self-metrics, `inferometer_scrape_*`).
   */
  stats(): ScrapeStats;
}

/** The self-metrics of each handler, for the refusals its own server makes before handing a request over (basic auth). */
const ENDPOINT_METRICS = new WeakMap<MetricsRequestHandler, EndpointMetrics>();

/** The format attribute of each exposition format (a format added to negotiation must be named here: the set stays closed). */
const FORMAT_ATTRIBUTE: Record<ExpositionFormat, ScrapeFormat> = { text: 'text', openmetrics: 'openmetrics', protobuf: 'protobuf' };

/** Counts `request` under `requests_total{format, code}` once its response is done; `format()` is read then (negotiation may come later). */
function countWhenDone(metrics: EndpointMetrics, response: ServerResponse, format: () => ScrapeFormat): void {
  // Only answered requests: a client that hung up before the status line
  // was written got no code.
  response.once('close', () => {
    if (response.headersSent) metrics.request(format(), response.statusCode);
  });
}

/**
 * Counts a request that `handler`'s own server refused before handing it to
 * the handler (basic auth: `unauthorized`, `auth_busy`), under its
 * self-metrics. Call before writing the response. A handler not made by
 * {@link createPrometheusReader} counts nothing.
 *
 * @internal
 */
export function countRefusedBeforeHandler(handler: MetricsRequestHandler, response: ServerResponse, reason: RefusalReason): void {
  const metrics = ENDPOINT_METRICS.get(handler);
  if (metrics === undefined) return;
  metrics.refused(reason);
  countWhenDone(metrics, response, () => 'none');
}

/**
 * Creates a Prometheus pull reader that starts no server of its own, and the
 * handler that serves it. For services that already run an HTTP server or
 * already build their own MeterProvider.
 *
 * Unlike `@opentelemetry/exporter-prometheus`'s own handler, which answers a
 * failed collection with `200` and a comment line (so Prometheus records a
 * healthy scrape of nothing), this one answers `500`, so `up` drops to 0 and
 * the failure is visible; a collection that does not finish in time is
 * answered `503` (see {@link ScrapeLimits}).
 *
 * The handler negotiates the format (text 0.0.4 or 1.0.0, OpenMetrics 1.0.0,
 * protobuf), the escaping of names (Prometheus 3's `escaping`) and gzip, shares
 * one collection and one rendered body among concurrent scrapes, refuses
 * scrapes past `maxConcurrentScrapes` with `503`, and cuts off readers slower
 * than `writeTimeoutMillis`.
 *
 * The handler reports on itself, like client_golang's
 * `promhttp_metric_handler_requests_total{code}` and
 * `promhttp_metric_handler_errors_total{cause}`: requests by format and
 * code, refusals by reason, failed collections by cause, dropped families,
 * and collect and encode durations (`inferometer_scrape_*`, listed in
 * `@inferometer/node/catalog`), recorded into the global MeterProvider, so a
 * scrape shows the previous scrapes and another reader of that provider
 * (OTLP) carries them too.
 *
 * Pass `metricProducers: [createCatalogProducer('cumulative').producer]` to serve
 * the catalog through the fast path as well.
 *
 * @example
 * ```ts
 * import { MeterProvider } from '@opentelemetry/sdk-metrics';
 * import { createPrometheusReader } from '@inferometer/node';
 *
 * const { reader, handler } = createPrometheusReader();
 * metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
 * app.get('/metrics', handler); // Express
 * ```
 */
export function createPrometheusReader(options: PrometheusReaderOptions = {}): PrometheusPullReader {
  // Scope labels (otel_scope_name, ...) would add three labels to every
  // catalog series that Prometheus users never asked for.
  const reader = new PrometheusExporter({
    preventServerStart: true,
    withoutScopeInfo: true,
    ...(options.metricProducers ? { metricProducers: options.metricProducers } : {}),
  });
  const collectTimeout = options.collectTimeoutMillis ?? DEFAULT_COLLECT_TIMEOUT_MILLIS;
  const writeTimeout = options.writeTimeoutMillis ?? DEFAULT_WRITE_TIMEOUT_MILLIS;
  const maxConcurrent = options.maxConcurrentScrapes ?? DEFAULT_MAX_CONCURRENT_SCRAPES;
  const gzipAllowed = options.gzip ?? true;
  // The global MeterProvider, looked up at each request: `start()` (and the
  // example below) registers it after this call, and the reader cannot be
  // asked which provider it was given to.
  const metrics = new EndpointMetrics();
  /** Collections whose failure was counted (once per collection, however many scrapes shared it). */
  const countedRounds = new WeakSet<ScrapeRound>();
  const countFailure = (round: ScrapeRound, cause: keyof typeof ERROR_CAUSES): void => {
    if (countedRounds.has(round)) return;
    countedRounds.add(round);
    metrics.failed(ERROR_CAUSES[cause]);
  };
  const stats = { refused: 0, timedOut: 0, failed: 0, cutOff: 0, droppedFamilies: 0 };
  const told = new Set<keyof typeof stats>();
  /** diag once per kind of trouble until a scrape succeeds again. */
  const tell = (kind: keyof typeof stats, message: string, ...args: unknown[]): void => {
    stats[kind]++;
    if (told.has(kind)) return;
    told.add(kind);
    diag.error(`@inferometer/node: ${message}`, ...args);
  };
  // A catalog producer is read by each collection in steps, written for its
  // round's body as it is read (coordinator.ts' readCatalog), instead of
  // through the reader's collection; the reader keeps it for everyone else
  // who collects (the health page).
  const catalogProducer = options.metricProducers?.find((producer) => steppedCatalogOf(producer) !== undefined);
  const catalog = catalogProducer && steppedCatalogOf(catalogProducer);
  const created = options.openMetricsCreated === true;
  const coordinator = new ScrapeCoordinator(
    async (timeoutMillis, shape, allocate): Promise<Collected> => {
      const started = performance.now();
      try {
        // The SDK gives up on observable callbacks past the timeout itself;
        // a callback that throws comes back in `errors`, a producer that
        // throws rejects the collection.
        const steps = catalogProducer !== undefined && catalog !== undefined && shape !== undefined;
        const { resourceMetrics, errors } = await (steps ? withoutProducer(catalogProducer, () => reader.collect({ timeoutMillis })) : reader.collect({ timeoutMillis }));
        if (errors.length > 0) return { ok: false, error: errors[0], timedOut: errors.some((e) => e instanceof TimeoutError), cause: 'callback' };
        return steps ? await readCatalog(resourceMetrics, catalog, shape, { created, allocate }) : { ok: true, resourceMetrics };
      } catch (error) {
        return { ok: false, error, timedOut: error instanceof TimeoutError, cause: 'producer' };
      } finally {
        metrics.collected((performance.now() - started) / 1000);
      }
    },
    {
      created,
      createdTimestamps: options.createdTimestamps !== false,
      onDroppedFamily: () => {
        stats.droppedFamilies++;
        metrics.droppedFamily();
      },
      onRendered: (format, seconds) => metrics.rendered(FORMAT_ATTRIBUTE[format], seconds),
      onRenderFailed: () => metrics.failed(ERROR_CAUSES.encode),
    },
    catalog === undefined ? undefined : () => catalog.steppable(),
  );
  /** Bodies (round, format, escaping, encoding) being answered, and the sockets reading them. */
  let bodies = 0;
  let sockets = 0;

  const handler: MetricsRequestHandler = (request, response) => {
    metrics.ready();
    let format: ScrapeFormat = 'none';
    countWhenDone(metrics, response, () => format);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      metrics.refused(REFUSAL_REASONS.method);
      plain(response, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const wanted = negotiate(request.headers.accept, request.headers['accept-encoding'], gzipAllowed);
    format = FORMAT_ATTRIBUTE[wanted.format];
    const key = bodyKey(wanted.format, wanted.gzip, wanted.escaping);
    // A scrape that joins a body being sent costs a socket and no memory of
    // its own (the chunks are shared, written with backpressure): only a
    // scrape that needs a body of its own counts against the limit, and
    // sockets are bounded separately.
    const shared = coordinator.shared(wanted.format, wanted.gzip, wanted.escaping);
    const joins = shared?.serving(key) === true;
    if ((!joins && bodies >= maxConcurrent) || sockets >= MAX_SCRAPE_SOCKETS) {
      metrics.refused(REFUSAL_REASONS.concurrency);
      const what = joins ? `${MAX_SCRAPE_SOCKETS} scrapes are being answered` : `${maxConcurrent} exposition bodies are being rendered or sent (maxConcurrentScrapes)`;
      tell('refused', `${what}; answering further ones 503 until one finishes`);
      plain(response, 503, `Service Unavailable: ${what} already; retry later\n`, { 'Retry-After': RETRY_AFTER_SECONDS });
      return;
    }
    const timeoutMillis = scrapeTimeout(request.headers['x-prometheus-scrape-timeout-seconds'], collectTimeout);
    const round = shared ?? coordinator.join(timeoutMillis, wanted.format, wanted.gzip, wanted.escaping);
    if (round === undefined) {
      metrics.refused(REFUSAL_REASONS.collectionsPending);
      tell('refused', 'earlier metrics collections have not finished (an observable callback or producer hangs); answering 503 without starting another');
      plain(response, 503, 'Service Unavailable: earlier metrics collections have not finished yet; retry later\n', { 'Retry-After': RETRY_AFTER_SECONDS });
      return;
    }
    // Held until the response is done or its connection gone (a response
    // still flushing to a slow reader counts).
    if (!round.serving(key)) bodies++;
    sockets++;
    round.enter(key);
    response.once('close', () => {
      sockets--;
      if (round.leave(key)) bodies--;
    });
    void answer(round, wanted, timeoutMillis, request, response)
      .catch((err: unknown) => {
        tell('failed', 'answering a scrape failed', err);
        fail(response, 500, `metrics exposition failed: ${message(err)}`);
      });
  };

  async function answer(
    round: ScrapeRound,
    wanted: ReturnType<typeof negotiate>,
    timeoutMillis: number,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMillis);
    });
    const rendered = (async (): Promise<Body | Collected> => {
      const collected = await round.collected;
      if (!collected.ok) return collected;
      return round.body(collected, wanted.format, wanted.gzip, wanted.escaping);
    })();
    const outcome = await Promise.race([rendered, expired]).finally(() => clearTimeout(timer));
    if (response.destroyed) return;
    if (outcome === 'timeout' || ('ok' in outcome && !outcome.ok && outcome.timedOut)) {
      coordinator.abandon(round);
      metrics.refused(REFUSAL_REASONS.timeout);
      countFailure(round, 'timeout');
      const seconds = (timeoutMillis / 1000).toFixed(1);
      tell('timedOut', `metrics collection did not finish within ${seconds} s (an observable callback or a producer is slow or hangs); answering the scrape 503`);
      fail(response, 503, `metrics collection did not finish within ${seconds} s`);
      return;
    }
    if ('ok' in outcome) {
      if (outcome.ok) throw new Error('unreachable: a collection without a body');
      countFailure(round, outcome.cause ?? 'producer');
      tell('failed', 'metrics collection failed; answering the scrape with 500', outcome.error);
      fail(response, 500, `metrics collection failed: ${message(outcome.error)}`);
      return;
    }
    told.clear();
    const headers: Record<string, string | number> = {
      'Content-Type': wanted.contentType,
      'Content-Length': outcome.bytes,
      Vary: 'Accept, Accept-Encoding',
    };
    if (wanted.gzip) headers['Content-Encoding'] = 'gzip';
    response.writeHead(200, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    await writeBody(response, outcome.chunks, writeTimeout, () => {
      metrics.refused(REFUSAL_REASONS.cutOff);
      tell('cutOff', `a scraper did not read the exposition within ${writeTimeout} ms (writeTimeoutMillis); its connection was closed`);
    });
  }

  ENDPOINT_METRICS.set(handler, metrics);
  return { reader, handler, stats: () => ({ ...stats }) };
}

/** The collection timeout of a request: Prometheus' own less a margin when it says, the configured one otherwise. */
function scrapeTimeout(header: string | string[] | undefined, fallback: number): number {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  if (header === undefined || !Number.isFinite(seconds) || seconds <= 0) return fallback;
  const millis = Math.min(seconds * 1000, MAX_COLLECT_TIMEOUT_MILLIS);
  return Math.max(millis - SCRAPE_TIMEOUT_MARGIN_MILLIS, millis / 2);
}

/**
 * Writes a shared body a chunk at a time, waiting for 'drain' so a slow
 * reader holds at most a chunk of its own (the chunks are shared and never
 * copied), and cuts the connection once `timeoutMillis` have passed.
 */
export async function writeBody(response: ServerResponse, chunks: readonly Buffer[], timeoutMillis: number, onCutOff: () => void): Promise<void> {
  // Until the last byte is handed to the OS ('finish'), not until the last
  // write() call: a small body fits the socket's buffer at once.
  const timer = setTimeout(() => {
    if (response.writableFinished || response.destroyed) return;
    onCutOff();
    reset(response);
  }, timeoutMillis);
  const stop = (): void => clearTimeout(timer);
  response.once('finish', stop);
  response.once('close', stop);
  let sinceYield = 0;
  for (const chunk of chunks) {
    if (response.destroyed) return;
    // A slow scraper must not make us buffer the body per connection; one
    // that hangs up never drains, so 'close' ends the wait too.
    if (!response.write(chunk)) await drainOrClose(response);
    if ((sinceYield += chunk.length) >= WRITE_TURN_BYTES) {
      // A fast reader on loopback keeps the kernel's buffer free: each
      // write completes at once and 'drain' comes on process.nextTick, so
      // without a yield the whole body is copied in one turn of the event
      // loop, for every scraper (10 scrapers of 16 MB held it 80-100 ms,
      // in writev under connectionCorkNT and the nextTick queue).
      await nextTurn();
      sinceYield = 0;
    }
  }
  if (!response.destroyed) response.end();
}

/**
 * Bytes written to one scraper's socket in one turn of the event loop when
 * the kernel takes them as fast as they come: a quarter of a megabyte is
 * some 0.1 ms of copying, so ten scrapers' turns stay near a millisecond.
 */
export const WRITE_TURN_BYTES = 256 * 1024;

/**
 * Closes a cut-off connection with a TCP reset, so the kernel drops what is
 * still queued for the reader (megabytes per socket) at once instead of
 * trying to deliver it; a socket that cannot (TLS) is destroyed.
 */
function reset(response: ServerResponse): void {
  const socket = response.socket;
  try {
    if (socket !== null && typeof socket.resetAndDestroy === 'function') {
      socket.resetAndDestroy();
      return;
    }
  } catch {
    // not a TCP handle
  }
  response.destroy();
}

/** Resolves on 'drain' or on 'close' (a client that hung up never drains), leaving no listener behind. */
function drainOrClose(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

function fail(response: ServerResponse, status: number, text: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  plain(response, status, `${text}\n`);
}

function plain(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
