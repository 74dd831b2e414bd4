import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeExportRequest, temporalityName, type OtlpKeyValue, type OtlpRequest } from './otlp-proto.js';
import { verifySigV4, type SigV4Expectation } from './sigv4-verifier.js';

/**
 * A test OTLP/HTTP metrics receiver on loopback. No Collector can be
 * installed here, so this stands in for one and for the vendor intakes: it
 * decodes each request with the OTLP protobuf definitions (./otlp-proto) or
 * as OTLP JSON, and refuses what the vendor's documentation says the vendor
 * refuses, with the status the vendor answers. As CloudWatch it first
 * verifies each request's AWS SigV4 signature with an implementation of its
 * own (./sigv4-verifier: the aws4 package), answering 403 on any mismatch.
 */
export type OtlpVendor = 'collector' | 'datadog' | 'newrelic' | 'cloudwatch';

/** Each vendor's documented rules (see /work/shared/reference/protocols.md). */
export const VENDOR_RULES = {
  collector: { keyHeader: undefined, maxUncompressedBytes: 20 * 1024 * 1024, deltaOnly: false, attributeLimits: undefined },
  // Datadog OTLP metrics intake: dd-api-key, delta only, 413 above 500 KB uncompressed.
  datadog: { keyHeader: 'dd-api-key', maxUncompressedBytes: 500_000, deltaOnly: true, attributeLimits: undefined },
  // New Relic: api-key (license key), delta counters and histograms, payload <= 1 MB, names <= 255, values <= 4095.
  newrelic: { keyHeader: 'api-key', maxUncompressedBytes: 1_000_000, deltaOnly: true, attributeLimits: { name: 255, value: 4095 } },
  // CloudWatch's OTLP endpoints: SigV4 (checked before anything else, 403
  // otherwise), HTTP with protobuf or JSON, gzip or none; 5 MB uncompressed is
  // what the traces and logs endpoints document (none is given for metrics).
  cloudwatch: { keyHeader: undefined, maxUncompressedBytes: 5_000_000, deltaOnly: false, attributeLimits: undefined },
} as const;

export interface OtlpReceived {
  readonly headers: IncomingHttpHeaders;
  readonly path: string;
  /** `protobuf` or `json`, from the content type. */
  readonly format: 'protobuf' | 'json';
  /** Body size on the wire, and after gunzip. */
  readonly wireBytes: number;
  readonly uncompressedBytes: number;
  readonly request: OtlpRequest;
  /** The status this receiver answered. */
  readonly status: number;
  /** Why it refused, when it did. */
  readonly refusal?: string;
}

export interface OtlpReceiver {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  /** `${url}/v1/metrics`, for OTEL_EXPORTER_OTLP_METRICS_ENDPOINT. */
  readonly metricsUrl: string;
  /** Every request, accepted or not. */
  readonly received: OtlpReceived[];
  /** Only the requests answered 200. */
  accepted(): OtlpReceived[];
  /** Answers the next `count` requests with `status` (before any check). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

export async function startOtlpReceiver(options: { vendor?: OtlpVendor; apiKey?: string; sigv4?: SigV4Expectation } = {}): Promise<OtlpReceiver> {
  const vendor = options.vendor ?? 'collector';
  const rules = VENDOR_RULES[vendor];
  if (vendor === 'cloudwatch' && options.sigv4 === undefined) throw new Error('the cloudwatch stand-in needs the credentials and scope to verify SigV4 against');
  const received: OtlpReceived[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 503 };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const wire = Buffer.concat(chunks);
      const answer = (status: number, format: 'protobuf' | 'json', otlp: OtlpRequest, uncompressedBytes: number, refusal?: string): void => {
        received.push({ headers: request.headers, path: request.url ?? '', format, wireBytes: wire.length, uncompressedBytes, request: otlp, status, ...(refusal ? { refusal } : {}) });
        if (status === 200) {
          // An empty ExportMetricsServiceResponse: full success.
          response.writeHead(200, { 'Content-Type': format === 'json' ? 'application/json' : 'application/x-protobuf' });
          response.end(format === 'json' ? '{}' : undefined);
        } else {
          response.writeHead(status, { 'Content-Type': 'text/plain' });
          response.end(refusal ?? 'unavailable');
        }
      };
      const format = String(request.headers['content-type']).startsWith('application/json') ? 'json' : 'protobuf';
      if (failures.count > 0) {
        failures.count--;
        answer(failures.status, format, {}, wire.length, `injected ${failures.status}`);
        return;
      }
      if (request.method !== 'POST' || request.url !== '/v1/metrics') {
        answer(404, format, {}, wire.length, `no route ${request.method} ${request.url}`);
        return;
      }
      if (options.sigv4 !== undefined) {
        // Over the bytes as they arrived (gzip included), as AWS verifies them.
        const problem = verifySigV4(requestOf(request), wire, options.sigv4);
        if (problem !== undefined) {
          answer(403, format, {}, wire.length, `SignatureDoesNotMatch: ${problem}`);
          return;
        }
      }
      let body = wire;
      try {
        if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(wire);
      } catch {
        answer(400, format, {}, wire.length, 'bad gzip');
        return;
      }
      let otlp: OtlpRequest;
      try {
        otlp = format === 'json' ? (JSON.parse(body.toString('utf8')) as OtlpRequest) : decodeExportRequest(body);
      } catch (err) {
        answer(400, format, {}, body.length, `undecodable: ${String(err)}`);
        return;
      }
      if (rules.keyHeader !== undefined && request.headers[rules.keyHeader] !== options.apiKey) {
        answer(403, format, otlp, body.length, `missing or wrong ${rules.keyHeader}`);
        return;
      }
      if (body.length > rules.maxUncompressedBytes) {
        answer(413, format, otlp, body.length, `payload of ${body.length} bytes is over ${rules.maxUncompressedBytes}`);
        return;
      }
      const problem = check(otlp, rules);
      answer(problem === undefined ? 200 : 400, format, otlp, body.length, problem);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    metricsUrl: `${url}/v1/metrics`,
    received,
    accepted: () => received.filter((r) => r.status === 200),
    failNext(count, status = 503) {
      failures = { count, status };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function requestOf(request: IncomingMessage): { method: string; path: string; headers: IncomingHttpHeaders } {
  return { method: request.method ?? '', path: request.url ?? '', headers: request.headers };
}

/** What the vendor would refuse in a decoded request (also used by the gRPC stand-in, ./otlp-grpc-receiver). */
export function check(otlp: OtlpRequest, rules: (typeof VENDOR_RULES)[OtlpVendor]): string | undefined {
  for (const resourceMetrics of otlp.resourceMetrics ?? []) {
    const problem = checkAttributes(resourceMetrics.resource?.attributes, rules);
    if (problem) return problem;
    for (const scope of resourceMetrics.scopeMetrics ?? []) {
      for (const metric of scope.metrics ?? []) {
        if (rules.deltaOnly) {
          if (metric.sum?.isMonotonic && temporalityName(metric.sum.aggregationTemporality) !== 'AGGREGATION_TEMPORALITY_DELTA') {
            return `${metric.name}: cumulative monotonic sums are not accepted, send delta temporality`;
          }
          for (const histogram of [metric.histogram, metric.exponentialHistogram]) {
            if (histogram && temporalityName(histogram.aggregationTemporality) !== 'AGGREGATION_TEMPORALITY_DELTA') {
              return `${metric.name}: cumulative histograms are not accepted, send delta temporality`;
            }
          }
        }
        const points = [
          ...(metric.sum?.dataPoints ?? []),
          ...(metric.gauge?.dataPoints ?? []),
          ...(metric.histogram?.dataPoints ?? []),
          ...(metric.exponentialHistogram?.dataPoints ?? []),
        ];
        for (const point of points) {
          const pointProblem = checkAttributes(point.attributes, rules);
          if (pointProblem) return `${metric.name}: ${pointProblem}`;
        }
      }
    }
  }
  return undefined;
}

function checkAttributes(attributes: OtlpKeyValue[] | undefined, rules: (typeof VENDOR_RULES)[OtlpVendor]): string | undefined {
  const limits = rules.attributeLimits;
  if (limits === undefined) return undefined;
  for (const { key, value } of attributes ?? []) {
    if (key.length > limits.name) return `attribute name longer than ${limits.name}`;
    if ((value.stringValue ?? '').length > limits.value) return `attribute ${key} longer than ${limits.value}`;
  }
  return undefined;
}
