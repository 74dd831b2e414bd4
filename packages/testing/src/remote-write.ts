/**
 * Decodes what the exporter sends with independent implementations:
 * snappyjs for the block format, protobufjs with the remote write 1.0 schema
 * (prometheus/prompb types.proto and remote.proto, the fields remote write
 * 1.0 uses) for the protobuf.
 */
import protobuf from 'protobufjs';
import { uncompress } from 'snappyjs';

const SCHEMA = `
syntax = "proto3";
package prometheus;
message WriteRequest {
  repeated TimeSeries timeseries = 1;
  reserved 2;
  repeated MetricMetadata metadata = 3;
}
message MetricMetadata {
  enum MetricType {
    UNKNOWN = 0; COUNTER = 1; GAUGE = 2; HISTOGRAM = 3; GAUGEHISTOGRAM = 4; SUMMARY = 5; INFO = 6; STATESET = 7;
  }
  MetricType type = 1;
  string metric_family_name = 2;
  string help = 4;
  string unit = 5;
}
message Sample { double value = 1; int64 timestamp = 2; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; }
message Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
message Label { string name = 1; string value = 2; }
`;

export const WriteRequestType = protobuf.parse(SCHEMA, { keepCase: false }).root.lookupType('prometheus.WriteRequest');

export interface DecodedSeries {
  labels: { name: string; value: string }[];
  samples: { value: number; timestamp: number }[];
  exemplars: { labels: { name: string; value: string }[]; value: number; timestamp: number }[];
}
export interface DecodedMetadata {
  type: string;
  metricFamilyName: string;
  help: string;
  unit: string;
}
export interface DecodedWriteRequest {
  timeseries: DecodedSeries[];
  metadata: DecodedMetadata[];
}

/** Protobuf bytes -> plain objects (enums as names, int64 as numbers, defaults filled in). */
export function decodeProtobuf(bytes: Uint8Array): DecodedWriteRequest {
  const message = WriteRequestType.decode(bytes);
  return WriteRequestType.toObject(message, { enums: String, longs: Number, defaults: true, arrays: true }) as DecodedWriteRequest;
}

/** A snappy-compressed body -> plain objects. */
export function decodeBody(body: Uint8Array): DecodedWriteRequest {
  return decodeProtobuf(uncompress(body));
}

/** `{ name: value }` of a series' labels. */
export function labelsOf(series: DecodedSeries): Record<string, string> {
  return Object.fromEntries(series.labels.map((label) => [label.name, label.value]));
}

/** `name{a="1",b="2"}` with labels in the order sent, for readable assertions. */
export function seriesKey(series: DecodedSeries, omit: readonly string[] = []): string {
  const labels = series.labels.filter((label) => label.name !== '__name__' && !omit.includes(label.name));
  const name = series.labels.find((label) => label.name === '__name__')?.value ?? '';
  return `${name}{${labels.map((label) => `${label.name}="${label.value}"`).join(',')}}`;
}
