import type { Http2Server, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { Metadata, Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData, type ServiceDefinition } from '@grpc/grpc-js';
import { decodeExportRequest, ExportMetricsServiceResponse, METRICS_EXPORT_PATH, type OtlpRequest } from './otlp-proto.js';
import { check, VENDOR_RULES, type OtlpVendor } from './otlp-receiver.js';

/**
 * A test OTLP/gRPC metrics receiver on loopback, on `@grpc/grpc-js` (the
 * gRPC implementation the exporter itself uses, server side). No Collector
 * or Datadog Agent can be installed here, so this stands in for their OTLP
 * gRPC receivers (port 4317) and for New Relic's gRPC intake: it serves
 * `opentelemetry.proto.collector.metrics.v1.MetricsService/Export`, the
 * method the official metrics_service.proto declares, decodes each request
 * with those definitions (./otlp-proto) and refuses what the vendor refuses,
 * with the status codes of the OTLP specification
 * (https://opentelemetry.io/docs/specs/otlp/#failures): UNAUTHENTICATED for a
 * missing key, INVALID_ARGUMENT for data the vendor does not take.
 *
 * gRPC decompresses before a handler sees a message, so how each request
 * arrived on the wire (its `grpc-encoding` header and the message's
 * compressed flag, gRPC's PROTOCOL-HTTP2.md "Length-Prefixed-Message") is
 * read from the HTTP/2 stream itself.
 */
export interface OtlpGrpcReceived {
  /** The call's metadata (gRPC's own reserved headers removed), lower-case keys. */
  readonly metadata: Record<string, string>;
  /** `grpc-encoding` as the client sent it (`identity` when absent). */
  readonly encoding: string;
  /** The first message's compressed flag on the wire. */
  readonly compressedOnWire: boolean;
  /** With TLS: the common name of the client certificate the connection presented (mutual TLS), if any. */
  readonly clientCertificate?: string;
  /** Size of the message after decompression (the serialized ExportMetricsServiceRequest). */
  readonly messageBytes: number;
  readonly request: OtlpRequest;
  /** The gRPC status answered (0: OK). */
  readonly code: number;
  readonly refusal?: string;
}

export interface OtlpGrpcReceiver {
  /** `http://127.0.0.1:<port>` (`https://` with TLS), for OTEL_EXPORTER_OTLP_ENDPOINT with OTEL_EXPORTER_OTLP_PROTOCOL=grpc. */
  readonly url: string;
  readonly port: number;
  /** Every call, answered OK or not. */
  readonly received: OtlpGrpcReceived[];
  /** Only the calls answered OK. */
  accepted(): OtlpGrpcReceived[];
  /** Answers the next `count` calls with `code` (UNAVAILABLE unless given), before any check. */
  failNext(count: number, code?: number): void;
  /** Resolves once `count` calls were answered OK. */
  waitForAccepted(count: number): Promise<OtlpGrpcReceived[]>;
  close(): Promise<void>;
}

interface WireView {
  encoding: string;
  compressed: boolean | undefined;
}

/** TLS for the stand-in: its certificate and key (PEM), and with `clientCa` client certificates signed by it are required (mutual TLS). */
export interface StandInTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa?: Buffer;
}

export async function startOtlpGrpcReceiver(options: { vendor?: OtlpVendor; apiKey?: string; tls?: StandInTls } = {}): Promise<OtlpGrpcReceiver> {
  const vendor = options.vendor ?? 'collector';
  if (vendor === 'cloudwatch') throw new Error('CloudWatch takes OTLP over HTTP only: no gRPC stand-in');
  const rules = VENDOR_RULES[vendor];
  const received: OtlpGrpcReceived[] = [];
  let failures = { count: 0, code: status.UNAVAILABLE as number };
  const waiters: { count: number; resolve: (calls: OtlpGrpcReceived[]) => void }[] = [];
  const accepted = (): OtlpGrpcReceived[] => received.filter((call) => call.code === status.OK);
  const wakeWaiters = (): void => {
    for (const waiter of [...waiters]) {
      if (accepted().length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(accepted());
      }
    }
  };
  // The wire view of each stream, in arrival order; a call takes the oldest one
  // not yet taken (the exporter sends its calls one after another).
  const wire: WireView[] = [];

  const service: ServiceDefinition = {
    Export: {
      path: METRICS_EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      // Raw bytes in: decoded by the handler with the official definitions, so a bad message is a status, not a crash.
      requestDeserialize: (bytes: Buffer) => bytes,
      requestSerialize: (bytes: Buffer) => bytes,
      responseSerialize: (response: object) => Buffer.from(ExportMetricsServiceResponse.encode(response).finish()),
      responseDeserialize: (bytes: Buffer) => bytes,
    },
  };

  const server = new Server();
  server.addService(service, {
    Export(call: ServerUnaryCall<Buffer, object>, callback: sendUnaryData<object>) {
      const view = wire.shift() ?? { encoding: 'unknown', compressed: undefined };
      const metadata = plainMetadata(call.metadata);
      const peer = call.getAuthContext()?.sslPeerCertificate?.subject?.CN;
      const answer = (code: number, request: OtlpRequest, refusal?: string): void => {
        received.push({ metadata, encoding: view.encoding, compressedOnWire: view.compressed === true, messageBytes: call.request.length, request, code, ...(refusal === undefined ? {} : { refusal }), ...(typeof peer === 'string' ? { clientCertificate: peer } : {}) });
        if (code === status.OK) callback(null, ExportMetricsServiceResponse.create({}));
        else callback({ code, details: refusal ?? 'refused', metadata: new Metadata() });
        wakeWaiters();
      };
      if (failures.count > 0) {
        failures.count--;
        answer(failures.code, {}, `injected status ${failures.code}`);
        return;
      }
      let request: OtlpRequest;
      try {
        request = decodeExportRequest(call.request);
      } catch (err) {
        answer(status.INVALID_ARGUMENT, {}, `undecodable: ${String(err)}`);
        return;
      }
      if (rules.keyHeader !== undefined && metadata[rules.keyHeader] !== options.apiKey) {
        answer(status.UNAUTHENTICATED, request, `missing or wrong ${rules.keyHeader}`);
        return;
      }
      if (call.request.length > rules.maxUncompressedBytes) {
        answer(status.INVALID_ARGUMENT, request, `message of ${call.request.length} bytes is over ${rules.maxUncompressedBytes}`);
        return;
      }
      const problem = check(request, rules);
      answer(problem === undefined ? status.OK : status.INVALID_ARGUMENT, request, problem);
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    const tls = options.tls;
    const credentials =
      tls === undefined ? ServerCredentials.createInsecure() : ServerCredentials.createSsl(tls.clientCa ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], tls.clientCa !== undefined);
    server.bindAsync('127.0.0.1:0', credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  // grpc-js keeps its HTTP/2 servers in a private map; a stand-in that cannot
  // see the wire must not pass a compression test, so its absence is an error.
  const http2Servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  if (!(http2Servers instanceof Map) || http2Servers.size === 0) throw new Error('@grpc/grpc-js no longer exposes its HTTP/2 servers: the gRPC stand-in cannot see compression on the wire');
  for (const http2 of http2Servers.keys()) {
    http2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      if (headers[':path'] !== METRICS_EXPORT_PATH) return;
      const view: WireView = { encoding: String(headers['grpc-encoding'] ?? 'identity'), compressed: undefined };
      wire.push(view);
      const first = (chunk: Buffer): void => {
        // Length-Prefixed-Message: Compressed-Flag (1 byte), Message-Length (4), Message.
        view.compressed = chunk.readUInt8(0) === 1;
        stream.off('data', first);
      };
      stream.on('data', first);
    });
  }

  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    port,
    received,
    accepted,
    failNext(count, code = status.UNAVAILABLE) {
      failures = { count, code };
    },
    waitForAccepted(count) {
      return new Promise((resolve) => {
        waiters.push({ count, resolve });
        wakeWaiters();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
}

/** Metadata as a record of its first values (binary values as base64). */
function plainMetadata(metadata: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, values] of Object.entries(metadata.getMap())) out[key] = Buffer.isBuffer(values) ? values.toString('base64') : String(values);
  return out;
}
