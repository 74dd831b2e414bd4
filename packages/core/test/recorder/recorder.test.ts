import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ATTR_METRIC,
  ATTR_MODEL_NAME,
  ATTR_STATUS,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_SERIES,
  STATUS_CANCELLED,
  STATUS_ERROR,
  STATUS_SUCCESS,
} from '../../src/catalog.js';
import { attachCollectorTo } from '../../src/collector.js';
import type { CollectedHistogram, CollectedMetric } from '../../src/recorder/native/collector.js';
import type { PredictionSeries } from '../../src/recorder/recorder.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';

const MODEL = 'iris';
const end = (): [number, number] => [Math.floor(Date.now() / 1000), 0];

function seriesIn(rt: Runtime): PredictionSeries {
  return rt.recorder.series({ model: MODEL, version: '1', attributes: {}, buckets: undefined, versionNumber: 1 });
}

function byName(collected: CollectedMetric[], name: string) {
  return collected.find((m) => m.definition.name === name)?.points ?? [];
}

let rt: Runtime;
beforeEach(() => {
  rt = createRuntime();
});

describe('PredictionSeries.cancel on the native target', () => {
  it('counts status="cancelled", not an error, without latency, and takes in-flight back', () => {
    const collector = attachCollectorTo(rt);
    const series = seriesIn(rt);
    series.begin().succeed(0.01);
    series.begin().fail(0.02, 'RangeError');
    series.begin().cancel();
    series.begin().cancel();
    const collected = collector.collect(end());
    const statuses = Object.fromEntries(byName(collected, METRIC_PREDICTIONS.name).map((p) => [p.attributes[ATTR_STATUS], p.value]));
    expect(statuses).toEqual({ [STATUS_SUCCESS]: 1, [STATUS_ERROR]: 1, [STATUS_CANCELLED]: 2 });
    expect(byName(collected, METRIC_PREDICTION_ERRORS.name).map((p) => p.value)).toEqual([1]);
    expect((byName(collected, METRIC_PREDICTION_LATENCY.name)[0]!.value as CollectedHistogram).count).toBe(2);
    expect(byName(collected, METRIC_PREDICTIONS_IN_FLIGHT.name).map((p) => p.value)).toEqual([0]);
    // One label set per status the series has recorded.
    expect(byName(collected, METRIC_SERIES.name).find((p) => p.attributes[ATTR_METRIC] === METRIC_PREDICTIONS.prometheusName)?.value).toBe(3);
  });

  it('reports cancelled calls in delta too, only when some happened in the interval', () => {
    const collector = attachCollectorTo(rt, { temporality: 'delta' });
    const series = seriesIn(rt);
    series.begin().cancel();
    const cancelled = () => byName(collector.collect(end()), METRIC_PREDICTIONS.name).find((p) => p.attributes[ATTR_STATUS] === STATUS_CANCELLED)?.value;
    expect(cancelled()).toBe(1);
    expect(cancelled()).toBeUndefined();
    series.begin().cancel();
    expect(cancelled()).toBe(1);
  });
});

describe('PredictionSeries.cancel on the OpenTelemetry API target', () => {
  let m: TestMetrics;
  beforeEach(() => {
    m = setupTestMetrics();
  });
  afterEach(() => m.shutdown());

  it('counts status="cancelled", not an error, without latency, and takes in-flight back', async () => {
    const series = seriesIn(rt);
    series.begin().succeed(0.01);
    series.begin().cancel();
    expect(await m.value(METRIC_PREDICTIONS.name, { [ATTR_STATUS]: STATUS_CANCELLED })).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS.name, { [ATTR_STATUS]: STATUS_ERROR })).toBeUndefined();
    expect(await m.value(METRIC_PREDICTION_ERRORS.name)).toBeUndefined();
    expect((await m.histogram(METRIC_PREDICTION_LATENCY.name, { [ATTR_MODEL_NAME]: MODEL }))?.count).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: MODEL })).toBe(0);
    expect(await m.value(METRIC_SERIES.name, { [ATTR_METRIC]: METRIC_PREDICTIONS.prometheusName })).toBe(2);
  });

  it('a call begun on the API and cancelled after a collector attached: in-flight back on the API, counted natively', async () => {
    const series = seriesIn(rt);
    const call = series.begin();
    const collector = attachCollectorTo(rt);
    call.cancel();
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: MODEL })).toBe(0);
    expect(await m.value(METRIC_PREDICTIONS.name, { [ATTR_STATUS]: STATUS_CANCELLED })).toBeUndefined();
    const points = byName(collector.collect(end()), METRIC_PREDICTIONS.name);
    expect(points.map((p) => [p.attributes[ATTR_STATUS], p.value])).toEqual([[STATUS_CANCELLED, 1]]);
  });
});
