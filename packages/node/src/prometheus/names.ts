/**
 * Names, units and attribute values of the pull endpoint's own metrics, in
 * one place. Modelled on client_golang's
 * `promhttp_metric_handler_requests_total{code}` and
 * `promhttp_metric_handler_errors_total{cause}`
 * (prometheus/client_golang, prometheus/promhttp/http.go), which are what
 * operators alert on, with the refusals, durations and dropped families
 * this endpoint adds. Every attribute value comes from a fixed set below,
 * so each metric holds a bounded number of series whatever the scrapers
 * send. Listed in `@inferometer/node/catalog` (src/catalog.ts) for the ops
 * kit; this module imports nothing that runs.
 */
import { ATTR_REASON, type MetricDefinition } from '@inferometer/core/catalog';

/** Instrumentation scope of the endpoint's self-metrics. */
export const ENDPOINT_SCOPE = '@inferometer/node/prometheus';

/** `format` attribute: the negotiated exposition format of a scrape. */
export const ATTR_SCRAPE_FORMAT = 'format';
/** `code` attribute: the HTTP status code a scrape was answered with (client_golang's label). */
export const ATTR_SCRAPE_CODE = 'code';
/** `reason` attribute of {@link METRIC_SCRAPE_REFUSALS} (core's shared key). */
export const ATTR_REFUSAL_REASON = ATTR_REASON;
/** `cause` attribute of {@link METRIC_SCRAPE_ERRORS} (client_golang's label). */
export const ATTR_ERROR_CAUSE = 'cause';

/**
 * Values of {@link ATTR_SCRAPE_FORMAT}: the formats the endpoint writes, and
 * `none` for a request refused before a format was chosen (wrong method,
 * over the concurrency limit, refused by basic auth).
 */
export const SCRAPE_FORMATS = ['text', 'openmetrics', 'protobuf', 'none'] as const;
/** One of {@link SCRAPE_FORMATS}. */
export type ScrapeFormat = (typeof SCRAPE_FORMATS)[number];

/**
 * Values of {@link ATTR_SCRAPE_CODE}: every status the endpoint and its own
 * server answer (200; 401 and 429 from basic auth; 405; 500; 503), and
 * `other` for anything else (a status set by a framework the handler is
 * mounted on), so the set stays closed.
 */
export const SCRAPE_CODES = ['200', '401', '405', '429', '500', '503', 'other'] as const;
/** One of {@link SCRAPE_CODES}. */
export type ScrapeCode = (typeof SCRAPE_CODES)[number];

/** Values of {@link ATTR_REFUSAL_REASON}: why a scrape was refused or cut short. */
export const REFUSAL_REASONS = {
  /** `maxConcurrentScrapes` scrapes were being served (503 with Retry-After). */
  concurrency: 'concurrency',
  /** Earlier collections given up on still hang; no new one was started (503). */
  collectionsPending: 'collections_pending',
  /** The collection and rendering did not finish within the scrape's timeout (503). */
  timeout: 'timeout',
  /** Neither GET nor HEAD (405). */
  method: 'method',
  /** Missing or wrong basic auth credentials, with a web configuration's `basic_auth_users` (401). */
  unauthorized: 'unauthorized',
  /** Too many basic auth verifications at once (429). */
  authBusy: 'auth_busy',
  /** A reader slower than `writeTimeoutMillis`: its connection was closed mid-body. */
  cutOff: 'cut_off',
} as const;
/** One of {@link REFUSAL_REASONS}. */
export type RefusalReason = (typeof REFUSAL_REASONS)[keyof typeof REFUSAL_REASONS];

/** Values of {@link ATTR_ERROR_CAUSE}: why a collection or a rendering failed. */
export const ERROR_CAUSES = {
  /** An observable instrument's callback threw (or rejected): the scrape is answered 500. */
  callback: 'callback',
  /** A metric producer threw (the collection as a whole failed): 500. */
  producer: 'producer',
  /** The collection did not finish within the scrape's timeout: 503. */
  timeout: 'timeout',
  /** Rendering the exposition (serializing or compressing) failed: 500. */
  encode: 'encode',
} as const;
/** One of {@link ERROR_CAUSES}. */
export type ErrorCause = (typeof ERROR_CAUSES)[keyof typeof ERROR_CAUSES];

/** Buckets of the duration histograms, in seconds: 1 ms to 10 s (Prometheus' default scrape timeout). */
export const SCRAPE_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/**
 * `inferometer_scrape_requests_total{format, code}`: scrapes answered, by
 * format and status, counted when the response is done (so a scrape shows
 * the previous scrapes, not itself), like client_golang's
 * `promhttp_metric_handler_requests_total`.
 */
export const METRIC_SCRAPE_REQUESTS = {
  name: 'inferometer_scrape_requests',
  prometheusName: 'inferometer_scrape_requests_total',
  kind: 'counter',
  unit: '{request}',
  description: 'Requests to the pull endpoint, by negotiated format (none when refused before negotiation) and HTTP status code.',
  attributes: [ATTR_SCRAPE_FORMAT, ATTR_SCRAPE_CODE],
} as const satisfies MetricDefinition;

/** `inferometer_scrape_refusals_total{reason}`: scrapes refused or cut short, by {@link REFUSAL_REASONS}. */
export const METRIC_SCRAPE_REFUSALS = {
  name: 'inferometer_scrape_refusals',
  prometheusName: 'inferometer_scrape_refusals_total',
  kind: 'counter',
  unit: '{request}',
  description: 'Requests the pull endpoint refused or cut short, by reason (concurrency, collections_pending, timeout, method, unauthorized, auth_busy, cut_off).',
  attributes: [ATTR_REFUSAL_REASON],
} as const satisfies MetricDefinition;

/**
 * `inferometer_scrape_errors_total{cause}`: failed collections and
 * renderings, by {@link ERROR_CAUSES}; once per collection however many
 * scrapes shared it (client_golang's `promhttp_metric_handler_errors_total`).
 */
export const METRIC_SCRAPE_ERRORS = {
  name: 'inferometer_scrape_errors',
  prometheusName: 'inferometer_scrape_errors_total',
  kind: 'counter',
  unit: '{error}',
  description: 'Collections or renderings of the pull endpoint that failed, by cause (callback, producer, timeout, encode); once per collection shared by concurrent scrapes.',
  attributes: [ATTR_ERROR_CAUSE],
} as const satisfies MetricDefinition;

/** `inferometer_scrape_dropped_families_total`: families left out of an exposition because their name collided with an earlier family's. */
export const METRIC_SCRAPE_DROPPED_FAMILIES = {
  name: 'inferometer_scrape_dropped_families',
  prometheusName: 'inferometer_scrape_dropped_families_total',
  kind: 'counter',
  unit: '{family}',
  description: "Metric families left out of an exposition because their Prometheus name collided with an earlier family's (once per family per rendered body).",
  attributes: [],
} as const satisfies MetricDefinition;

/** `inferometer_scrape_collect_duration_seconds`: how long each collection (observable callbacks, producers) took, failed ones included. */
export const METRIC_SCRAPE_COLLECT_DURATION = {
  name: 'inferometer_scrape_collect_duration_seconds',
  prometheusName: 'inferometer_scrape_collect_duration_seconds',
  kind: 'histogram',
  unit: 's',
  description: 'Duration of the collections behind the pull endpoint (observable callbacks and producers), once per collection shared by concurrent scrapes.',
  attributes: [],
  buckets: SCRAPE_DURATION_BUCKETS,
} as const satisfies MetricDefinition;

/**
 * `inferometer_scrape_encode_duration_seconds{format}`: how long each body
 * took to render (serialize, and gzip when asked), from its first byte to
 * its last, once per body shared by concurrent scrapes.
 */
export const METRIC_SCRAPE_ENCODE_DURATION = {
  name: 'inferometer_scrape_encode_duration_seconds',
  prometheusName: 'inferometer_scrape_encode_duration_seconds',
  kind: 'histogram',
  unit: 's',
  description: 'Wall time to render an exposition body (serializing, and compressing when gzip was negotiated), by format; once per body shared by concurrent scrapes.',
  attributes: [ATTR_SCRAPE_FORMAT],
  buckets: SCRAPE_DURATION_BUCKETS,
} as const satisfies MetricDefinition;

/** The pull endpoint's self-metrics, in a stable order. */
export const ENDPOINT_CATALOG = [
  METRIC_SCRAPE_REQUESTS,
  METRIC_SCRAPE_REFUSALS,
  METRIC_SCRAPE_ERRORS,
  METRIC_SCRAPE_DROPPED_FAMILIES,
  METRIC_SCRAPE_COLLECT_DURATION,
  METRIC_SCRAPE_ENCODE_DURATION,
] as const satisfies readonly MetricDefinition[];
