/**
 * Content negotiation of the pull endpoint, as Prometheus does it:
 * https://prometheus.io/docs/instrumenting/content_negotiation/
 *
 * Prometheus 2.42 sends
 * `Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`
 * and `Accept-Encoding: gzip`. The format with the highest q-value among
 * those served wins (ties: the one listed first); anything else (no header,
 * only formats not served, `*\/*`) gets the text format 0.0.4, as the
 * Prometheus client libraries answer rather than 406.
 */
import { PROTOBUF_CONTENT_TYPE } from './protobuf/index.js';

/** Content type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of OpenMetrics 1.0.0 (https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md). */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
/** OpenMetrics 0.0.1, which older Prometheus versions ask for: the same body as 1.0.0 (prometheus/common#456). */
const OPENMETRICS_001_CONTENT_TYPE = 'application/openmetrics-text; version=0.0.1; charset=utf-8';

/**
 * The exposition formats the endpoint writes. `protobuf` is the
 * length-delimited `io.prometheus.client.MetricFamily` exposition, the one
 * format that carries native histograms; Prometheus asks for it first when
 * started with `--enable-feature=native-histograms`.
 */
export type ExpositionFormat = 'text' | 'openmetrics' | 'protobuf';

/** What a request gets: the body's format, the Content-Type that names it, and whether it is gzipped. */
export interface Negotiated {
  readonly format: ExpositionFormat;
  readonly contentType: string;
  readonly gzip: boolean;
}

const TEXT: Omit<Negotiated, 'gzip'> = { format: 'text', contentType: PROMETHEUS_CONTENT_TYPE };

/** Longest Accept header read; longer ones are cut (a scraper sends about 150 bytes). */
const MAX_HEADER = 2048;

/**
 * Picks the format and encoding for a request's `Accept` and `Accept-Encoding`.
 *
 * @example
 * ```ts
 * negotiate('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5', 'gzip');
 * // { format: 'openmetrics', contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8', gzip: true }
 * ```
 */
export function negotiate(accept: string | undefined, acceptEncoding: string | undefined, gzipAllowed = true): Negotiated {
  return { ...chooseFormat(accept), gzip: gzipAllowed && acceptsGzip(acceptEncoding) };
}

function chooseFormat(accept: string | undefined): Omit<Negotiated, 'gzip'> {
  if (accept === undefined || accept === '') return TEXT;
  let best: Omit<Negotiated, 'gzip'> = TEXT;
  let bestQ = -1;
  for (const range of accept.slice(0, MAX_HEADER).split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    let q = 1;
    let version: string | undefined;
    let proto: string | undefined;
    let encoding: string | undefined;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim();
      const value = param.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (key === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 0;
      else if (key === 'version') version = value;
      else if (key === 'proto') proto = value;
      else if (key === 'encoding') encoding = value;
    }
    if (q <= 0 || q <= bestQ) continue;
    let candidate: Omit<Negotiated, 'gzip'> | undefined;
    if (type === 'application/vnd.google.protobuf') {
      if (proto === 'io.prometheus.client.metricfamily' && encoding === 'delimited') candidate = { format: 'protobuf', contentType: PROTOBUF_CONTENT_TYPE };
    } else if (type === 'application/openmetrics-text') {
      if (version === undefined || version === '1.0.0') candidate = { format: 'openmetrics', contentType: OPENMETRICS_CONTENT_TYPE };
      else if (version === '0.0.1') candidate = { format: 'openmetrics', contentType: OPENMETRICS_001_CONTENT_TYPE };
    } else if (type === 'text/plain' || type === 'text/*' || type === '*/*') {
      // text/plain;version=1.0.0 (UTF-8 names) reads 0.0.4 too: our names are all legacy names.
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
