import type { Meter } from '@opentelemetry/api';

/**
 * Instruments whose families clash, in collection order: a gauge named
 * `target.info` (target_info is written first), a histogram `latency` then a
 * gauge `latency_count` (one of its sample names), a counter `jobs` then a
 * gauge `jobs` (the counter's OpenMetrics family name). Every exposition
 * format keeps `latency` and `jobs_total` and leaves the other three out.
 */
export function recordClashingInstruments(meter: Meter): void {
  meter.createGauge('target.info').record(5);
  meter.createHistogram('latency', { advice: { explicitBucketBoundaries: [1] } }).record(0.5);
  meter.createGauge('latency_count').record(99);
  meter.createCounter('jobs').add(1);
  meter.createGauge('jobs').record(3);
}
