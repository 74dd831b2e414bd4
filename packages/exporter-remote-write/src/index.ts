// The public API of @inferometer/exporter-remote-write, listed by hand.
export { RemoteWriteExporter } from './exporter.js';
export {
  DEFAULT_FLUSH_TIMEOUT_MILLIS,
  DEFAULT_MAX_BACKOFF_MILLIS,
  DEFAULT_MAX_QUEUE_BYTES,
  DEFAULT_MAX_QUEUE_SAMPLES,
  DEFAULT_MAX_RETRY_AFTER_MILLIS,
  DEFAULT_MIN_BACKOFF_MILLIS,
  DEFAULT_REQUEST_TIMEOUT_MILLIS,
  REMOTE_WRITE_HEADERS,
  RemoteWriteOptionsError,
} from './options.js';
export type { RemoteWriteExporterOptions } from './options.js';
export {
  METRIC_REMOTE_WRITE_DROPPED,
  METRIC_REMOTE_WRITE_PENDING,
  METRIC_REMOTE_WRITE_RETRIED,
  METRIC_REMOTE_WRITE_SENT,
  REMOTE_WRITE_CATALOG,
  REMOTE_WRITE_DROP_REASONS,
} from './catalog.js';
export type { RemoteWriteDropReason } from './catalog.js';
export { DEFAULT_MAX_SAMPLES_PER_REQUEST, WriteRequestEncoder } from './encode/write-request.js';
export type { EncodedWriteRequest, EncodeResult, WriteRequestEncoderOptions } from './encode/write-request.js';
export { SnappyCompressor } from './encode/snappy.js';
