/**
 * The remote-write exporter's own metrics (names, units, descriptions) and
 * the values of their `reason` attribute: the one module that owns them, as
 * `@inferometer/core`'s catalog owns the prediction metrics. The shared
 * attribute key `reason` stays in core. No runtime import beyond core's
 * constants, so `@inferometer/ops` can build these names into its own bundle
 * through the `@inferometer/exporter-remote-write/catalog` subpath.
 *
 * @packageDocumentation
 */
import { ATTR_REASON, type MetricDefinition } from '@inferometer/core/catalog';

/**
 * Attribute of every remote-write self-metric: the protocol the samples went
 * (or were to go) out in, one of {@link REMOTE_WRITE_PROTOCOLS}. After a
 * fallback from 2.0 (a 1.0 receiver answered 415) the same exporter counts
 * under both values.
 */
export const ATTR_PROTOCOL = 'protocol' as const;

/** The remote write protocol versions the exporter speaks: the values of {@link ATTR_PROTOCOL}. */
export const REMOTE_WRITE_PROTOCOLS = ['1.0', '2.0'] as const;

/** One of {@link REMOTE_WRITE_PROTOCOLS}. */
export type RemoteWriteProtocol = (typeof REMOTE_WRITE_PROTOCOLS)[number];

/** `inferometer_remote_write_samples_total`: samples the remote-write exporter delivered. */
export const METRIC_REMOTE_WRITE_SENT = {
  name: 'inferometer_remote_write_samples',
  prometheusName: 'inferometer_remote_write_samples_total',
  kind: 'counter',
  unit: '{sample}',
  description: 'Samples delivered by the remote-write exporter (2xx from the receiver), by protocol.',
  attributes: [ATTR_PROTOCOL],
} as const satisfies MetricDefinition;

/** `inferometer_remote_write_samples_retried_total`: samples sent again after a 5xx, 429 or network error. */
export const METRIC_REMOTE_WRITE_RETRIED = {
  name: 'inferometer_remote_write_samples_retried',
  prometheusName: 'inferometer_remote_write_samples_retried_total',
  kind: 'counter',
  unit: '{sample}',
  description: 'Samples the remote-write exporter sent again after a retryable failure, by protocol.',
  attributes: [ATTR_PROTOCOL],
} as const satisfies MetricDefinition;

/** `inferometer_remote_write_samples_dropped_total{reason}`: samples given up (4xx, queue full, shutdown). */
export const METRIC_REMOTE_WRITE_DROPPED = {
  name: 'inferometer_remote_write_samples_dropped',
  prometheusName: 'inferometer_remote_write_samples_dropped_total',
  kind: 'counter',
  unit: '{sample}',
  description: 'Samples the remote-write exporter gave up on, by reason and protocol.',
  attributes: [ATTR_REASON, ATTR_PROTOCOL],
} as const satisfies MetricDefinition;

/** `inferometer_remote_write_samples_pending`: samples queued for sending. */
export const METRIC_REMOTE_WRITE_PENDING = {
  name: 'inferometer_remote_write_samples_pending',
  prometheusName: 'inferometer_remote_write_samples_pending',
  kind: 'gauge',
  unit: '{sample}',
  description: 'Samples waiting in the remote-write queue, by protocol.',
  attributes: [ATTR_PROTOCOL],
} as const satisfies MetricDefinition;

/** Why samples were given up: the `reason` of {@link METRIC_REMOTE_WRITE_DROPPED}. */
export const REMOTE_WRITE_DROP_REASONS = {
  /** The receiver answered 4xx other than 429: the request is bad and would fail again. */
  rejected: 'rejected',
  /** The queue was full; the oldest requests were given up for newer ones. */
  queueFull: 'queue_full',
  /** Still queued when shutdown's deadline passed. */
  shutdown: 'shutdown',
  /** Data points remote write 1.0 cannot carry (exponential histograms, delta temporality). */
  unsupported: 'unsupported',
  /** The encoder failed on the data (a bug: reported through diag). */
  encodeError: 'encode_error',
} as const;

/** One of {@link REMOTE_WRITE_DROP_REASONS}. */
export type RemoteWriteDropReason = (typeof REMOTE_WRITE_DROP_REASONS)[keyof typeof REMOTE_WRITE_DROP_REASONS];

/** The remote-write exporter's metrics, in a stable order. */
export const REMOTE_WRITE_CATALOG = [
  METRIC_REMOTE_WRITE_SENT,
  METRIC_REMOTE_WRITE_RETRIED,
  METRIC_REMOTE_WRITE_DROPPED,
  METRIC_REMOTE_WRITE_PENDING,
] as const satisfies readonly MetricDefinition[];
