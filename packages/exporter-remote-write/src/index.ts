// The public API of @inferometer/exporter-remote-write, listed by hand.
export { RemoteWriteExporter } from './exporter.js';
export type { RemoteWriteStats } from './exporter.js';
export {
  DEFAULT_FLUSH_TIMEOUT_MILLIS,
  DEFAULT_MAX_BACKOFF_MILLIS,
  DEFAULT_MAX_QUEUE_BYTES,
  DEFAULT_MAX_QUEUE_SAMPLES,
  DEFAULT_MAX_RETRY_AFTER_MILLIS,
  DEFAULT_MIN_BACKOFF_MILLIS,
  DEFAULT_REMOTE_WRITE_PROTOCOL,
  DEFAULT_REQUEST_TIMEOUT_MILLIS,
  REMOTE_WRITE_HEADERS,
  REMOTE_WRITE_V2_HEADERS,
  RemoteWriteOptionsError,
} from './options.js';
export type { RemoteWriteExporterOptions } from './options.js';
export {
  ATTR_PROTOCOL,
  METRIC_REMOTE_WRITE_DROPPED,
  METRIC_REMOTE_WRITE_PENDING,
  METRIC_REMOTE_WRITE_RETRIED,
  METRIC_REMOTE_WRITE_SENT,
  REMOTE_WRITE_CATALOG,
  REMOTE_WRITE_DROP_REASONS,
  REMOTE_WRITE_PROTOCOLS,
} from './catalog.js';
export type { RemoteWriteDropReason, RemoteWriteProtocol } from './catalog.js';
export { DEFAULT_MAX_SAMPLES_PER_REQUEST, WriteRequestEncoder } from './encode/write-request.js';
export type { EncodedWriteRequest, EncodeResult, WriteRequestEncoderOptions } from './encode/write-request.js';
export { WriteRequestV2Encoder } from './encode/write-request-v2.js';
export type { EncodedWriteRequestV2, EncodeResultV2 } from './encode/write-request-v2.js';
export { SnappyCompressor } from './encode/snappy.js';
