/**
 * Decoding of OTLP metrics requests with the OFFICIAL protocol definitions.
 *
 * Where the definitions come from: `build/src/generated/root.js` of
 * `@opentelemetry/otlp-transformer@0.52.1` is protobufjs static code that the
 * OpenTelemetry project generated (`protobufjs-cli`, its
 * `scripts/generate-protos.js`) from the opentelemetry-proto repository's
 * .proto files (a git submodule of opentelemetry-js). Nothing here writes a
 * message out by hand, so the receiver checks the exporters against the
 * protocol as published rather than against our reading of it.
 *
 * Why the npm alias `otlp-official-protos`: the SDK in this repo uses
 * otlp-transformer 0.223, which no longer ships generated code (it encodes
 * with a hand-written writer), so the old release is installed as a root
 * devDependency under another name, `otlp-official-protos` =
 * `npm:@opentelemetry/otlp-transformer@0.52.1`, next to the current one. Only
 * its generated root is used here, never its transformer; it also brings its
 * own protobufjs 7 (nested), so this module does not lean on whichever
 * protobufjs happens to be hoisted.
 *
 * That proto revision predates a few later additive fields (it has no
 * `Metric.metadata`, no `Span.flags`); proto3 decoders skip unknown fields,
 * and none of the callers read those.
 */
import { createRequire } from 'node:module';

/** protobufjs `IConversionOptions`, the subset used here. */
interface ConversionOptions {
  enums?: StringConstructor;
  longs?: StringConstructor | NumberConstructor;
  defaults?: boolean;
  arrays?: boolean;
  oneofs?: boolean;
}

/** The static methods protobufjs generates on each message class. */
interface GeneratedMessageType {
  decode(reader: Uint8Array, length?: number): object;
  toObject(message: object, options?: ConversionOptions): Record<string, unknown>;
}

/** The parts of the generated root used here (root.d.ts types it only as a protobufjs Root). */
interface OfficialRoot {
  opentelemetry: {
    proto: {
      collector: { metrics: { v1: { ExportMetricsServiceRequest: GeneratedMessageType } } };
      metrics: { v1: { AggregationTemporality: Readonly<Record<string | number, string | number>> } };
    };
  };
}

// The generated root is CommonJS (`require("protobufjs/minimal")`); the
// package has no `exports` map, so the deep path resolves as is.
const requireCommonJs = createRequire(import.meta.url);
const root = requireCommonJs('otlp-official-protos/build/src/generated/root.js') as OfficialRoot;

export const ExportMetricsServiceRequest: GeneratedMessageType = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

/** The official enum: name -> number, and number -> name through its prototype. */
const AggregationTemporality = root.opentelemetry.proto.metrics.v1.AggregationTemporality;

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
