/**
 * The pull endpoint's own metrics (prometheus/names.ts), recorded through
 * the OpenTelemetry API into the service's MeterProvider: a scrape then shows
 * the previous scrapes' counts, and an OTLP exporter beside the endpoint
 * carries them too. Only the handler records here, never a prediction: the
 * predict path pays nothing.
 *
 * Every attribute set is built once from the fixed value sets, so a scraper
 * cannot grow the series (the cardinality guard's rule for self-metrics:
 * bounded by construction).
 */
import type { Attributes, Counter, Histogram, MeterProvider } from '@opentelemetry/api';
import { ProviderBound } from '@inferometer/core/internal';
import {
  ATTR_ERROR_CAUSE,
  ATTR_REFUSAL_REASON,
  ATTR_SCRAPE_CODE,
  ATTR_SCRAPE_FORMAT,
  ENDPOINT_SCOPE,
  ERROR_CAUSES,
  METRIC_SCRAPE_COLLECT_DURATION,
  METRIC_SCRAPE_DROPPED_FAMILIES,
  METRIC_SCRAPE_ENCODE_DURATION,
  METRIC_SCRAPE_ERRORS,
  METRIC_SCRAPE_REFUSALS,
  METRIC_SCRAPE_REQUESTS,
  REFUSAL_REASONS,
  SCRAPE_CODES,
  SCRAPE_FORMATS,
  type ErrorCause,
  type RefusalReason,
  type ScrapeCode,
  type ScrapeFormat,
} from './names.js';
import { VERSION } from '../version.js';

interface Instruments {
  readonly requests: Counter;
  readonly refusals: Counter;
  readonly errors: Counter;
  readonly droppedFamilies: Counter;
  readonly collectDuration: Histogram;
  readonly encodeDuration: Histogram;
}

const EMPTY: Attributes = Object.freeze({});
const REQUEST_ATTRIBUTES = new Map<string, Attributes>();
for (const format of SCRAPE_FORMATS) {
  for (const code of SCRAPE_CODES) REQUEST_ATTRIBUTES.set(`${format} ${code}`, Object.freeze({ [ATTR_SCRAPE_FORMAT]: format, [ATTR_SCRAPE_CODE]: code }));
}
const REFUSAL_ATTRIBUTES = new Map<RefusalReason, Attributes>(Object.values(REFUSAL_REASONS).map((reason) => [reason, Object.freeze({ [ATTR_REFUSAL_REASON]: reason })]));
const ERROR_ATTRIBUTES = new Map<ErrorCause, Attributes>(Object.values(ERROR_CAUSES).map((cause) => [cause, Object.freeze({ [ATTR_ERROR_CAUSE]: cause })]));
const FORMAT_ATTRIBUTES = new Map<ScrapeFormat, Attributes>(SCRAPE_FORMATS.map((format) => [format, Object.freeze({ [ATTR_SCRAPE_FORMAT]: format })]));
const KNOWN_CODES: ReadonlySet<string> = new Set(SCRAPE_CODES);

/** A status code as {@link ATTR_SCRAPE_CODE} carries it: itself when in {@link SCRAPE_CODES}, else `other`. */
export function scrapeCode(status: number): ScrapeCode {
  const code = String(status);
  return KNOWN_CODES.has(code) ? (code as ScrapeCode) : 'other';
}

/** Records the endpoint's events into the provider in use (created once per provider). */
export class EndpointMetrics {
  private readonly _current: ProviderBound<Instruments>;

  /** @param provider a fixed MeterProvider; by default the global one, looked up again on every use (`start()` registers it after the handler exists). */
  constructor(provider?: MeterProvider) {
    this._current = new ProviderBound((p) => create(p), provider);
  }

  /**
   * Creates the instruments of the provider in use if they are not yet:
   * called at each request, so the first scrape already shows the refusal
   * and error series at 0 (a rate then sees their first increase).
   */
  ready(): void {
    this._current.get();
  }

  request(format: ScrapeFormat, status: number): void {
    this._current.get().requests.add(1, REQUEST_ATTRIBUTES.get(`${format} ${scrapeCode(status)}`));
  }

  refused(reason: RefusalReason): void {
    this._current.get().refusals.add(1, REFUSAL_ATTRIBUTES.get(reason));
  }

  failed(cause: ErrorCause): void {
    this._current.get().errors.add(1, ERROR_ATTRIBUTES.get(cause));
  }

  droppedFamily(): void {
    this._current.get().droppedFamilies.add(1, EMPTY);
  }

  collected(seconds: number): void {
    this._current.get().collectDuration.record(seconds, EMPTY);
  }

  rendered(format: ScrapeFormat, seconds: number): void {
    this._current.get().encodeDuration.record(seconds, FORMAT_ATTRIBUTES.get(format));
  }
}

function create(provider: MeterProvider): Instruments {
  const meter = provider.getMeter(ENDPOINT_SCOPE, VERSION);
  const counter = (d: typeof METRIC_SCRAPE_REQUESTS | typeof METRIC_SCRAPE_REFUSALS | typeof METRIC_SCRAPE_ERRORS | typeof METRIC_SCRAPE_DROPPED_FAMILIES): Counter =>
    meter.createCounter(d.name, { unit: d.unit, description: d.description });
  const histogram = (d: typeof METRIC_SCRAPE_COLLECT_DURATION | typeof METRIC_SCRAPE_ENCODE_DURATION): Histogram =>
    meter.createHistogram(d.name, { unit: d.unit, description: d.description, advice: { explicitBucketBoundaries: [...d.buckets] } });
  const instruments: Instruments = {
    requests: counter(METRIC_SCRAPE_REQUESTS),
    refusals: counter(METRIC_SCRAPE_REFUSALS),
    errors: counter(METRIC_SCRAPE_ERRORS),
    droppedFamilies: counter(METRIC_SCRAPE_DROPPED_FAMILIES),
    collectDuration: histogram(METRIC_SCRAPE_COLLECT_DURATION),
    encodeDuration: histogram(METRIC_SCRAPE_ENCODE_DURATION),
  };
  // Like client_golang's initialised causes and codes: every refusal reason
  // and error cause, and the dropped families, at 0 from the first scrape on.
  for (const attributes of REFUSAL_ATTRIBUTES.values()) instruments.refusals.add(0, attributes);
  for (const attributes of ERROR_ATTRIBUTES.values()) instruments.errors.add(0, attributes);
  instruments.droppedFamilies.add(0, EMPTY);
  return instruments;
}
