/**
 * A remote write 2.0 receiver stand-in: no real 2.0 receiver can be had here
 * (Debian's Prometheus is 2.42; 2.0 arrived in Prometheus 3), so this one
 * decodes with the official `io.prometheus.write.v2.Request` definition
 * (test/fixtures/prometheus-proto, vendored from prometheus/prometheus) via
 * protobufjs and snappyjs, checks what the specification requires of a
 * request (headers, `symbols[0] == ""`, references in range, labels sorted,
 * exemplar timestamps), and answers as the specification tells a receiver
 * to: 204 with `X-Prometheus-Remote-Write-{Samples,Histograms,Exemplars}-Written`.
 * Modes answer as a 1.0 receiver would: 2xx without those headers, or 415.
 * https://prometheus.io/docs/specs/prw/remote_write_spec_2_0/
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { uncompress } from 'snappyjs';
import { startCaptureServer, type CaptureServer, type Received } from './receiver.js';
import { decodeBody as decodeV1Body, type DecodedWriteRequest } from '@inferometer/testing';

const PROTO = fileURLToPath(new URL('../fixtures/prometheus-proto/io/prometheus/write/v2/types.proto', import.meta.url));
const root = protobuf.loadSync(PROTO);
export const RequestV2Type = root.lookupType('io.prometheus.write.v2.Request');

export const V2_CONTENT_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

/** A decoded series with its references resolved. */
export interface SeriesV2 {
  readonly labels: Record<string, string>;
  /** Label names in the order sent. */
  readonly labelNames: string[];
  readonly samples: { value: number; timestamp: number; startTimestamp: number }[];
  readonly histograms: HistogramV2[];
  readonly exemplars: { labels: Record<string, string>; value: number; timestamp: number }[];
  readonly metadata: { type: string; help: string; unit: string };
}

export interface HistogramV2 {
  countInt: number;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCountInt: number;
  negativeSpans: { offset: number; length: number }[];
  negativeDeltas: number[];
  positiveSpans: { offset: number; length: number }[];
  positiveDeltas: number[];
  timestamp: number;
  startTimestamp: number;
}

export interface DecodedV2 {
  readonly symbols: string[];
  readonly series: SeriesV2[];
}

interface RawV2 {
  symbols: string[];
  timeseries: {
    labelsRefs: number[];
    samples: { value: number; timestamp: number; startTimestamp: number }[];
    histograms: (HistogramV2 & { resetHint: string })[];
    exemplars: { labelsRefs: number[]; value: number; timestamp: number }[];
    metadata: { type: string; helpRef: number; unitRef: number } | null;
  }[];
}

/** Decodes a snappy-compressed 2.0 body and checks the specification's rules; throws on a violation. */
export function decodeV2Body(body: Uint8Array): DecodedV2 {
  return decodeV2(uncompress(body));
}

/** Decodes an uncompressed 2.0 protobuf and checks the specification's rules. */
export function decodeV2(bytes: Uint8Array): DecodedV2 {
  const raw = RequestV2Type.toObject(RequestV2Type.decode(bytes), { enums: String, longs: Number, defaults: true, arrays: true }) as RawV2;
  const { symbols } = raw;
  if (symbols[0] !== '') throw new Error(`symbols[0] must be "" (got ${JSON.stringify(symbols[0])})`);
  const at = (ref: number): string => {
    if (!Number.isInteger(ref) || ref < 0 || ref >= symbols.length) throw new Error(`reference ${ref} outside the ${symbols.length} symbols`);
    return symbols[ref]!;
  };
  const pairs = (refs: number[], what: string): [string, string][] => {
    if (refs.length % 2 !== 0) throw new Error(`${what}: odd number of label references`);
    const out: [string, string][] = [];
    for (let i = 0; i < refs.length; i += 2) out.push([at(refs[i]!), at(refs[i + 1]!)]);
    return out;
  };
  const series = raw.timeseries.map((ts): SeriesV2 => {
    const labels = pairs(ts.labelsRefs, 'series');
    const names = labels.map(([name]) => name);
    for (let i = 1; i < names.length; i++) if (!(names[i - 1]! < names[i]!)) throw new Error(`labels not sorted or repeated: ${names.join(',')}`);
    for (const [name, value] of labels) if (name === '' || value === '') throw new Error(`empty label name or value in ${names.join(',')}`);
    if (ts.samples.length > 0 && ts.histograms.length > 0) throw new Error('a series with both samples and histograms');
    if (ts.samples.length + ts.histograms.length === 0) throw new Error('a series with neither samples nor histograms');
    for (const exemplar of ts.exemplars) if (exemplar.timestamp === 0) throw new Error('an exemplar without a timestamp');
    const metadata = ts.metadata ?? { type: 'METRIC_TYPE_UNSPECIFIED', helpRef: 0, unitRef: 0 };
    return {
      labels: Object.fromEntries(labels),
      labelNames: names,
      samples: ts.samples,
      histograms: ts.histograms.map(({ resetHint: _hint, ...histogram }) => histogram),
      exemplars: ts.exemplars.map((exemplar) => ({ labels: Object.fromEntries(pairs(exemplar.labelsRefs, 'exemplar')), value: exemplar.value, timestamp: exemplar.timestamp })),
      metadata: { type: metadata.type, help: at(metadata.helpRef), unit: at(metadata.unitRef) },
    };
  });
  return { symbols, series };
}

/** How the stand-in answers. */
export type ReceiverV2Mode =
  /** A 2.0 receiver: 204 with the three `*-Written` headers. */
  | 'v2'
  /** A 1.0 receiver that ignores Content-Type: 204 and no `*-Written` header (decodes 2.0 as an empty 1.0 request). */
  | 'v1-ignores-content-type'
  /** A receiver that refuses the content type: 415. */
  | 'unsupported';

export interface ReceivedV2 extends Received {
  /** The 2.0 request, when the body was one (by its Content-Type). */
  readonly v2?: DecodedV2;
  /** The 1.0 request, when the body was one. */
  readonly v1?: DecodedWriteRequest;
}

export interface ReceiverV2 {
  readonly url: string;
  readonly capture: CaptureServer;
  /** Every request, decoded by its Content-Type. */
  readonly received: ReceivedV2[];
  /** Spec violations seen (a test asserts this stays empty). */
  readonly violations: string[];
  mode: ReceiverV2Mode;
  close(): Promise<void>;
}

const REQUIRED_V2_HEADERS: Record<string, string> = {
  'content-type': V2_CONTENT_TYPE,
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '2.0.0',
};

/** Starts the stand-in on a loopback port. */
export async function startReceiverV2(mode: ReceiverV2Mode = 'v2'): Promise<ReceiverV2> {
  const capture = await startCaptureServer();
  const received: ReceivedV2[] = [];
  const violations: string[] = [];
  const receiver: ReceiverV2 = { url: capture.url, capture, received, violations, mode, close: () => capture.close() };
  capture.respond = (request, response) => {
    const isV2 = request.headers['content-type'] === V2_CONTENT_TYPE;
    let v2: DecodedV2 | undefined;
    let v1: DecodedWriteRequest | undefined;
    try {
      if (isV2) {
        for (const [name, value] of Object.entries(REQUIRED_V2_HEADERS)) if (request.headers[name] !== value) violations.push(`header ${name}: ${String(request.headers[name])}`);
        if (typeof request.headers['user-agent'] !== 'string' || request.headers['user-agent'] === '') violations.push('no User-Agent');
        v2 = decodeV2Body(request.body);
      } else {
        v1 = decodeV1Body(request.body);
      }
    } catch (err) {
      violations.push(String(err));
      received.push({ ...request });
      response.writeHead(400, { 'Content-Type': 'text/plain' });
      response.end(String(err));
      return;
    }
    received.push({ ...request, ...(v2 === undefined ? {} : { v2 }), ...(v1 === undefined ? {} : { v1 }) });
    if (receiver.mode === 'unsupported' && isV2) {
      response.writeHead(415, { 'Content-Type': 'text/plain' });
      response.end('unsupported content type');
      return;
    }
    if (receiver.mode === 'v2' && v2 !== undefined) {
      let samples = 0;
      let histograms = 0;
      let exemplars = 0;
      for (const series of v2.series) {
        samples += series.samples.length;
        histograms += series.histograms.length;
        exemplars += series.exemplars.length;
      }
      response.writeHead(204, {
        'X-Prometheus-Remote-Write-Samples-Written': String(samples),
        'X-Prometheus-Remote-Write-Histograms-Written': String(histograms),
        'X-Prometheus-Remote-Write-Exemplars-Written': String(exemplars),
      });
      response.end();
      return;
    }
    response.writeHead(204);
    response.end();
  };
  return receiver;
}
