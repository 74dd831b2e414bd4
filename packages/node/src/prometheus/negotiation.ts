/**
 * Content negotiation of the pull endpoint, as Prometheus does it:
 * https://prometheus.io/docs/instrumenting/content_negotiation/ and, for the
 * `escaping` parameter, https://prometheus.io/docs/instrumenting/escaping_schemes/
 * (client_golang's expfmt.Negotiate is the reference implementation).
 *
 * Prometheus 2.42 sends
 * `Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`
 * and `Accept-Encoding: gzip`; Prometheus 3 adds `text/plain;version=1.0.0`
 * and an `escaping` parameter (`allow-utf-8` by default). The format with the
 * highest q-value among those served wins (ties: the one listed first; `q=0`
 * excludes); anything else (no header, only formats not served, `*\/*`) gets
 * the text format 0.0.4, as the Prometheus client libraries answer rather
 * than 406.
 *
 * Escaping: the text format 1.0.0, OpenMetrics 1.0.0 and the protobuf
 * exposition take the range's `escaping` parameter, and the response's
 * Content-Type says which scheme was used. Text 1.0.0 without one (or with
 * one not known) is `underscores`, echoed; OpenMetrics and protobuf without
 * one are served as before, with nothing echoed. `underscores` writes what the
 * formats always wrote: the OpenTelemetry translation's legacy names.
 */
import { ESCAPING_SCHEMES, type EscapingScheme } from '@inferometer/core/prometheus';
import { PROTOBUF_CONTENT_TYPE } from './protobuf/index.js';

/** Content type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of the Prometheus text format 1.0.0 (UTF-8 names), completed by `; escaping=<scheme>`. */
export const PROMETHEUS_1_0_0_CONTENT_TYPE = 'text/plain; version=1.0.0; charset=utf-8';
/** Content type of OpenMetrics 1.0.0 (https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md). */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
/** OpenMetrics 0.0.1, which older Prometheus versions ask for: the same body as 1.0.0 (prometheus/common#456). */
const OPENMETRICS_001_CONTENT_TYPE = 'application/openmetrics-text; version=0.0.1; charset=utf-8';

/**
 * The exposition formats the endpoint writes. `protobuf` is the
 * length-delimited `io.prometheus.client.MetricFamily` exposition, the one
 * format that carries native histograms; Prometheus asks for it first when
 * started with `--enable-feature=native-histograms`. `text` is the text
 * format 0.0.4, or 1.0.0 when the scraper negotiated an escaping scheme.
 */
export type ExpositionFormat = 'text' | 'openmetrics' | 'protobuf';

/** What a request gets: the body's format, the Content-Type that names it, and whether it is gzipped. */
export interface Negotiated {
  readonly format: ExpositionFormat;
  readonly contentType: string;
  readonly gzip: boolean;
  /** The escaping scheme of names (echoed in {@link contentType}); `undefined`: legacy names, as text 0.0.4. */
  readonly escaping?: EscapingScheme;
}

type Choice = Omit<Negotiated, 'gzip'>;

const TEXT: Choice = { format: 'text', contentType: PROMETHEUS_CONTENT_TYPE };

/** Longest Accept header read; longer ones are cut (a scraper sends about 150 bytes). */
const MAX_HEADER = 2048;

/**
 * Picks the format, escaping and encoding for a request's `Accept` and `Accept-Encoding`.
 *
 * @example
 * ```ts
 * negotiate('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5', 'gzip');
 * // { format: 'openmetrics', contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8', gzip: true }
 * negotiate('text/plain;version=1.0.0;escaping=allow-utf-8', undefined);
 * // { format: 'text', escaping: 'allow-utf-8', contentType: 'text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8', gzip: false }
 * ```
 */
export function negotiate(accept: string | undefined, acceptEncoding: string | undefined, gzipAllowed = true): Negotiated {
  return { ...chooseFormat(accept), gzip: gzipAllowed && acceptsGzip(acceptEncoding) };
}

/** The `escaping` parameter if it names a scheme; client_golang falls back to its default on any other value too. */
function schemeOf(value: string | undefined): EscapingScheme | undefined {
  return value !== undefined && (ESCAPING_SCHEMES as readonly string[]).includes(value) ? (value as EscapingScheme) : undefined;
}

function escaped(format: ExpositionFormat, contentType: string, escaping: EscapingScheme | undefined): Choice {
  return escaping === undefined ? { format, contentType } : { format, contentType: `${contentType}; escaping=${escaping}`, escaping };
}

function chooseFormat(accept: string | undefined): Choice {
  if (accept === undefined || accept === '') return TEXT;
  let best: Choice = TEXT;
  let bestQ = -1;
  for (const range of accept.slice(0, MAX_HEADER).split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim());
    const mediaType = type!.toLowerCase();
    let q = 1;
    let version: string | undefined;
    let proto: string | undefined;
    let encoding: string | undefined;
    let escaping: string | undefined;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = param.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (key === 'q') q = value !== '' && Number.isFinite(Number(value)) ? Number(value) : 0;
      else if (key === 'version') version = value;
      else if (key === 'proto') proto = value.toLowerCase();
      else if (key === 'encoding') encoding = value.toLowerCase();
      else if (key === 'escaping') escaping = value;
    }
    if (q <= 0 || q <= bestQ) continue;
    const scheme = schemeOf(escaping);
    let candidate: Choice | undefined;
    if (mediaType === 'application/vnd.google.protobuf') {
      if (proto === 'io.prometheus.client.metricfamily' && encoding === 'delimited') candidate = escaped('protobuf', PROTOBUF_CONTENT_TYPE, scheme);
    } else if (mediaType === 'application/openmetrics-text') {
      if (version === undefined || version === '1.0.0') candidate = escaped('openmetrics', OPENMETRICS_CONTENT_TYPE, scheme);
      else if (version === '0.0.1') candidate = { format: 'openmetrics', contentType: OPENMETRICS_001_CONTENT_TYPE };
    } else if (mediaType === 'text/plain') {
      if (version === '1.0.0') candidate = escaped('text', PROMETHEUS_1_0_0_CONTENT_TYPE, scheme ?? 'underscores');
      else if (version === undefined || version === '0.0.4') candidate = TEXT;
    } else if (mediaType === 'text/*' || mediaType === '*/*') {
      candidate = TEXT;
    }
    if (candidate !== undefined) {
      best = candidate;
      bestQ = q;
    }
  }
  return best;
}

/** Whether `Accept-Encoding` allows gzip (`gzip`, `x-gzip` or `*` with a q-value above 0). */
function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined || header === '') return false;
  let star = false;
  for (const coding of header.slice(0, MAX_HEADER).split(',')) {
    const [name, ...params] = coding.split(';').map((part) => part.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (name === 'gzip' || name === 'x-gzip') return q > 0;
    if (name === '*') star = q > 0;
  }
  return star;
}
