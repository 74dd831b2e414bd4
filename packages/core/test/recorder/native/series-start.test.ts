/**
 * Each native series carries its own start: the `startTime` of its
 * cumulative points, which the protobuf exposition writes as
 * `created_timestamp` (and remote write 2.0 as `start_timestamp`). A series
 * created after others, or released and created again, must not claim
 * counts from before it existed: Prometheus' created-timestamp-zero-ingestion
 * would store a zero at the wrong time and `rate()` lose or invent an increase.
 */
import { describe, expect, it } from 'vitest';
import { ATTR_MODEL_VERSION, METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '../../../src/catalog.js';
import { attachCollectorTo } from '../../../src/collector.js';
import { instrumentIn } from '../../../src/instrument.js';
import type { CollectedMetric } from '../../../src/recorder/native/collector.js';
import { hrNow } from '../../../src/recorder/native/recorder.js';
import type { HrTimeLike } from '../../../src/recorder/native/series.js';
import { createRuntime } from '../../../src/runtime.js';

const toNanos = (t: readonly [number, number]): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

/** Waits (a bounded spin, no wall-clock margin) until the clock has moved a whole millisecond past `t` (series starts are whole milliseconds). */
function after(t: HrTimeLike): void {
  for (let i = 0; i < 1e9 && toNanos(hrNow()) <= toNanos(t) + 1_000_000n; i++);
}

function point(metrics: CollectedMetric[], name: string, version: string) {
  return metrics.find((m) => m.definition.name === name && m.exponential !== true)?.points.find((p) => p.attributes[ATTR_MODEL_VERSION] === version);
}

describe('native series start', () => {
  it('is the series\' own creation, not the recorder\'s; a retired and released version created again starts anew', () => {
    const rt = createRuntime();
    const collector = attachCollectorTo(rt);
    try {
      after(rt.recorder.startTime);
      const before1 = hrNow();
      instrumentIn(rt, (x: number) => x, { model: 's', version: '1' })(1);
      const first = point(collector.collect(hrNow()), METRIC_PREDICTIONS.name, '1')!;
      expect(toNanos(first.startTime)).toBeGreaterThanOrEqual(toNanos(before1));
      expect(toNanos(first.startTime)).toBeGreaterThan(toNanos(rt.recorder.startTime));

      after(first.startTime);
      instrumentIn(rt, (x: number) => x, { model: 's', version: '2' })(1);
      const collected = collector.collect(hrNow());
      const second = point(collected, METRIC_PREDICTIONS.name, '2')!;
      expect(toNanos(second.startTime)).toBeGreaterThan(toNanos(first.startTime));
      // Every cumulative point of a series shares its start (histograms too); the first series' is unchanged.
      expect(point(collected, METRIC_PREDICTION_LATENCY.name, '2')!.startTime).toEqual(second.startTime);
      expect(point(collected, METRIC_PREDICTIONS.name, '1')!.startTime).toEqual(first.startTime);

      // Retired: exported once more, then released.
      expect(rt.recorder.retire('s', '1')).toBe(true);
      collector.collect(hrNow());
      expect(point(collector.collect(hrNow()), METRIC_PREDICTIONS.name, '1')).toBeUndefined();
      after(second.startTime);
      instrumentIn(rt, (x: number) => x, { model: 's', version: '1' })(1);
      const reborn = point(collector.collect(hrNow()), METRIC_PREDICTIONS.name, '1')!;
      expect(reborn.value).toBe(1);
      expect(toNanos(reborn.startTime)).toBeGreaterThan(toNanos(second.startTime));
    } finally {
      collector.detach();
    }
  });
});
