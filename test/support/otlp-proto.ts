/**
 * Decoding of OTLP metrics requests with the OFFICIAL protocol definitions.
 *
 * Where the definitions come from: the `.proto` files of the
 * opentelemetry-proto repository, vendored unchanged under
 * `test/support/opentelemetry-proto/` (commit and licence in its
 * `SOURCE.md`) and loaded with protobufjs' own `.proto` parser. Nothing here
 * writes a message out by hand, so the receiver checks the exporters against
 * the protocol as published rather than against our reading of it.
 *
 * Why not the generated code of an old `@opentelemetry/otlp-transformer`
 * (0.52 shipped protobufjs static code): that release requires
 * `@opentelemetry/api` < 1.10, which the OpenTelemetry JS 3.x line this repo
 * is on cannot share a tree with.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** protobufjs `IConversionOptions`, the subset used here. */
interface ConversionOptions {
  enums?: StringConstructor;
  longs?: StringConstructor | NumberConstructor;
  defaults?: boolean;
  arrays?: boolean;
  oneofs?: boolean;
}

/** The message-type methods used here. */
interface MessageType {
  decode(reader: Uint8Array, length?: number): object;
  toObject(message: object, options?: ConversionOptions): Record<string, unknown>;
}

const protoRoot = fileURLToPath(new URL('./opentelemetry-proto/', import.meta.url));
const root = new protobuf.Root();
// Imports in the .proto files are relative to the repository root.
root.resolvePath = (_origin, target) => protoRoot + target;
root.loadSync('opentelemetry/proto/collector/metrics/v1/metrics_service.proto', { keepCase: false });
root.resolveAll();

export const ExportMetricsServiceRequest: MessageType = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');

/** Encodes a message of a type (the receivers' responses). */
interface EncodableType {
  encode(message: object): { finish(): Uint8Array };
  create(properties?: object): object;
}

/** The official response: an empty one is full success (partial_success unset). */
export const ExportMetricsServiceResponse: EncodableType = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse');

/**
 * The gRPC method path of `MetricsService.Export`, from the service the
 * official metrics_service.proto declares (gRPC's PROTOCOL-HTTP2.md:
 * `/{package}.{service}/{method}`).
 */
export const METRICS_EXPORT_PATH = (() => {
  const service = root.lookupService('opentelemetry.proto.collector.metrics.v1.MetricsService');
  const method = service.methods.Export;
  if (method === undefined) throw new Error('metrics_service.proto declares no Export method');
  return `/${service.fullName.replace(/^\./, '')}/${method.name}`;
})();

/** The official enum: name -> number, and number -> name through its prototype. */
const AggregationTemporality: Readonly<Record<number, string>> = root.lookupEnum('opentelemetry.proto.metrics.v1.AggregationTemporality').valuesById;

/**
 * A decoded request as plain objects, in the proto3 JSON mapping's shape
 * (camelCase fields, enums by name, 64-bit integers as strings, bytes left as
 * bytes), which is also what the `http/json` protocol sends, so both
 * protocols are checked by the same code.
 */
export function decodeExportRequest(body: Uint8Array): OtlpRequest {
  const message = ExportMetricsServiceRequest.decode(body);
  return ExportMetricsServiceRequest.toObject(message, { enums: String, longs: String, defaults: false, arrays: true, oneofs: false }) as OtlpRequest;
}

// The plain-object view the tests read: only the fields they use, in the
// JSON mapping's names. These type what decodeExportRequest returns (and what
// JSON.parse gives for http/json); they take no part in decoding.
export interface OtlpKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: unknown[] } };
}
export interface OtlpNumberPoint {
  attributes?: OtlpKeyValue[];
  timeUnixNano?: string;
  startTimeUnixNano?: string;
  asDouble?: number;
  asInt?: string | number;
}
export interface OtlpHistogramPoint {
  attributes?: OtlpKeyValue[];
  count?: string | number;
  sum?: number;
  bucketCounts?: (string | number)[];
  explicitBounds?: number[];
}
export interface OtlpExponentialPoint {
  attributes?: OtlpKeyValue[];
  count?: string | number;
  sum?: number;
  scale?: number;
  zeroCount?: string | number;
  positive?: { offset?: number; bucketCounts?: (string | number)[] };
  negative?: { offset?: number; bucketCounts?: (string | number)[] };
  min?: number;
  max?: number;
}
export interface OtlpMetric {
  name: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints?: OtlpNumberPoint[] };
  sum?: { dataPoints?: OtlpNumberPoint[]; aggregationTemporality?: string | number; isMonotonic?: boolean };
  histogram?: { dataPoints?: OtlpHistogramPoint[]; aggregationTemporality?: string | number };
  exponentialHistogram?: { dataPoints?: OtlpExponentialPoint[]; aggregationTemporality?: string | number };
  summary?: unknown;
}
export interface OtlpRequest {
  resourceMetrics?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeMetrics?: { scope?: { name?: string; version?: string }; metrics?: OtlpMetric[] }[];
  }[];
}

/** Temporality by name, whether it came as a name (protobuf decode) or a number (JSON protocol). */
export function temporalityName(value: string | number | undefined): string {
  if (value === undefined) return String(AggregationTemporality[0]);
  if (typeof value === 'string') return value;
  const name = AggregationTemporality[value];
  return typeof name === 'string' ? name : String(value);
}

/** Attributes as a plain record of strings. */
export function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of list ?? []) {
    out[key] = String(value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue ?? JSON.stringify(value.arrayValue));
  }
  return out;
}
