import { metrics } from '@opentelemetry/api';
import { instrument } from '@inferometer/core';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION } from '@inferometer/core/catalog';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { driftMonitor } from '../../src/monitor/drift-monitor.js';
import { buildProfile } from '../../src/profile/build.js';
import { ProfileError } from '../../src/profile/parse.js';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';
import { normalSample } from '../helpers/normal.js';
import { ATTR_FEATURE, ATTR_METHOD, ATTR_PREDICTION, DRIFT_DROP_REASONS, METRIC_DATA_DRIFT_SCORE, METRIC_DRIFT_DROPPED, METRIC_PREDICTION_DRIFT_SCORE, PREDICTION_CLASS, PREDICTION_CONFIDENCE } from '../../src/catalog.js';

let m: TestMetrics;
let model: string;
let n = 0;
beforeEach(() => {
  m = setupTestMetrics();
  // A fresh model name per test: the registry is process-wide.
  model = `drift_${++n}`;
});
afterEach(async () => {
  vi.useRealTimers();
  await m.shutdown();
});

/** N(0, 1) in 10 quantile bins, feature "x". */
const normalReference = buildProfile({ columns: { x: normalSample(10_000) } });
const rowsOf = (values: ArrayLike<number>) => Array.from(values, (x) => [x]);
const score = (feature: string, method: string) =>
  m.value(METRIC_DATA_DRIFT_SCORE.name, { [ATTR_MODEL_NAME]: model, [ATTR_FEATURE]: feature, [ATTR_METHOD]: method });

describe('driftMonitor with instrument()', () => {
  it('scores a known shift at collection time: N(0.5, 1) against N(0, 1) deciles', async () => {
    const drift = driftMonitor({ reference: normalReference, features: (rows: number[][]) => rows, window: { count: 10_000 } });
    const predict = instrument((rows: number[][]) => rows.length, { model, version: '1.0.0', drift });
    const shifted = rowsOf(normalSample(10_000, 0.5));
    for (let i = 0; i < shifted.length; i += 100) expect(predict(shifted.slice(i, i + 100))).toBe(100);
    // The deciles' values for a shift of 0.5 sd (Python math.erf): PSI 0.237749, KS 0.197412, JS 0.204684.
    expect(await score('x', 'psi')).toBeCloseTo(0.2377, 2);
    expect(await score('x', 'ks')).toBeCloseTo(0.1974, 2);
    expect(await score('x', 'js')).toBeCloseTo(0.2047, 2);
    const points = await m.points(METRIC_DATA_DRIFT_SCORE.name, { [ATTR_MODEL_NAME]: model });
    expect(points.map((p) => p.attributes)).toEqual(
      ['psi', 'ks', 'js'].map((method) => ({ [ATTR_MODEL_NAME]: model, [ATTR_MODEL_VERSION]: '1.0.0', [ATTR_FEATURE]: 'x', [ATTR_METHOD]: method })),
    );
  });

  it('scores the reference distribution itself at (almost) zero', async () => {
    const drift = driftMonitor({ reference: normalReference, features: (rows: number[][]) => rows, window: { count: 10_000 } });
    const predict = instrument((rows: number[][]) => rows.length, { model, version: '1', drift });
    predict(rowsOf(normalSample(10_000)));
    expect(await score('x', 'psi')).toBeLessThan(1e-6);
    expect(await score('x', 'ks')).toBeLessThan(1e-3);
  });

  it('reports nothing until the window holds minRows rows', async () => {
    const drift = driftMonitor({ reference: normalReference, features: (rows: number[][]) => rows, minRows: 50 });
    const predict = instrument((rows: number[][]) => rows.length, { model, version: '1', drift });
    predict(rowsOf(normalSample(49)));
    expect(await score('x', 'psi')).toBeUndefined();
    predict([[0]]);
    expect(await score('x', 'psi')).toBeTypeOf('number');
  });

  it('reports into a MeterProvider registered after the function was wrapped', async () => {
    metrics.disable();
    const drift = driftMonitor({ reference: normalReference, features: (rows: number[][]) => rows, minRows: 10 });
    const predict = instrument((rows: number[][]) => rows.length, { model, version: '1', drift });
    predict(rowsOf(normalSample(20)));
    m = setupTestMetrics();
    predict(rowsOf(normalSample(20)));
    expect(await score('x', 'psi')).toBeTypeOf('number');
  });

  it('watches categorical features with chi-squared and Jensen-Shannon', async () => {
    const reference = buildProfile({ columns: { colour: ['red', 'blue'] } });
    const drift = driftMonitor({ reference, features: (records: { colour: string }[]) => records, minRows: 10 });
    const predict = instrument((records: { colour: string }[]) => records.length, { model, version: '1', drift });
    predict([...Array(70).fill({ colour: 'red' }), ...Array(30).fill({ colour: 'blue' })]);
    // Expected 50/50 of 100: X2 = (70 - 50)^2 / 50 + (30 - 50)^2 / 50 = 16, reported as Cohen's w = sqrt(16 / 100).
    expect(await score('colour', 'chi2')).toBeCloseTo(0.4, 10);
    // (0.7, 0.3) vs (0.5, 0.5), m = (0.6, 0.4): KL(p||m) = 0.031163, KL(q||m) = 0.029447 bits;
    // JSD = 0.030305, distance 0.174084.
    expect(await score('colour', 'js')).toBeCloseTo(0.17408, 5);
    expect(await score('colour', 'psi')).toBeUndefined();
  });

  it('watches predicted classes and confidence as ml_prediction_drift_score{prediction}', async () => {
    const reference = buildProfile({ columns: { x: [1, 2] } }, { bins: 2, predictions: { class: ['cat', 'dog'], confidence: [0.6, 0.9] } });
    const drift = driftMonitor({
      reference,
      features: (x: number) => [x],
      predictions: { class: (out: { label: string; p: number }) => out.label, confidence: (out: { label: string; p: number }) => out.p },
      minRows: 10,
    });
    const predict = instrument((x: number) => ({ label: x > 0 ? 'dog' : 'cat', p: 0.95 }), { model, version: '1', drift });
    for (let i = 0; i < 20; i++) predict(1);
    const prediction = (kind: string, method: string) =>
      m.value(METRIC_PREDICTION_DRIFT_SCORE.name, { [ATTR_MODEL_NAME]: model, [ATTR_PREDICTION]: kind, [ATTR_METHOD]: method });
    // All 20 "dog" against 50/50: X2 = (0 - 10)^2/10 + (20 - 10)^2/10 = 20, w = sqrt(20 / 20) = 1.
    expect(await prediction(PREDICTION_CLASS, 'chi2')).toBeCloseTo(1, 10);
    // All confidence above the one edge (0.75) against 50/50: PSI = (1e-4 - .5) ln(1e-4/.5) + .5 ln 2.
    expect(await prediction(PREDICTION_CONFIDENCE, 'psi')).toBeCloseTo(4.6043, 4);
    expect(await prediction(PREDICTION_CONFIDENCE, 'ks')).toBeCloseTo(0.5, 10);
  });

  it('never touches the call: a throwing extractor and rows of the wrong width are counted, not thrown', async () => {
    const drift = driftMonitor({ reference: normalReference, features: (rows: unknown) => { if (rows === 'boom') throw new Error('extractor bug'); return rows as number[][]; } });
    const predict = instrument((rows: unknown) => (Array.isArray(rows) ? rows.length : -1), { model, version: '1', drift });
    expect(predict('boom')).toBe(-1);
    expect(predict([[1, 2], [3], [4, 5, 6]])).toBe(3);
    const dropped = (reason: string) => m.value(METRIC_DRIFT_DROPPED.name, { [ATTR_MODEL_NAME]: model, reason });
    expect(await dropped(DRIFT_DROP_REASONS.extractor)).toBe(1);
    expect(await dropped(DRIFT_DROP_REASONS.shape)).toBe(2);
  });

  it('binds one window per (model, version), whatever the attribute combinations', () => {
    const drift = driftMonitor({ reference: normalReference, features: (rows: number[][]) => rows });
    expect(drift.bind({ model, version: '1' })).toBe(drift.bind({ model, version: '1' }));
    expect(drift.bind({ model, version: '2' })).not.toBe(drift.bind({ model, version: '1' }));
  });

  it('watches at most maxVersions versions, setting aside the least recently used', async () => {
    const drift = driftMonitor({ reference: normalReference, features: (rows: number[][]) => rows, minRows: 10, maxVersions: 1 });
    const service = { version: 'a' };
    const predict = instrument(function (this: typeof service, rows: number[][]) { return rows.length; }, { model, version: (self: typeof service) => self.version, drift });
    predict.call(service, rowsOf(normalSample(10)));
    service.version = 'b';
    predict.call(service, rowsOf(normalSample(10)));
    // The SDK keeps a gauge series' last value once reported; a set-aside version reads NaN (no data).
    const versions = async () =>
      Object.fromEntries((await m.points(METRIC_DATA_DRIFT_SCORE.name, { [ATTR_MODEL_NAME]: model, [ATTR_METHOD]: 'psi' })).map((p) => [p.attributes[ATTR_MODEL_VERSION], Number.isNaN(p.value) ? 'NaN' : 'score']));
    expect(await versions()).toEqual({ b: 'score' }); // a was set aside before any collection
    service.version = 'a';
    predict.call(service, rowsOf(normalSample(5))); // back, afresh: 5 rows is under minRows
    expect(await versions()).toEqual({ b: 'NaN' });
    predict.call(service, rowsOf(normalSample(5)));
    expect(await versions()).toEqual({ a: 'score', b: 'NaN' });
  });

  it('slides a time window with the clock', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const drift = driftMonitor({ reference: normalReference, features: (rows: number[][]) => rows, minRows: 10, window: { seconds: 10, slices: 5 } });
    const predict = instrument((rows: number[][]) => rows.length, { model, version: '1', drift });
    predict(rowsOf(normalSample(100)));
    expect(await score('x', 'psi')).toBeLessThan(0.01);
    vi.advanceTimersByTime(6_000);
    predict(rowsOf(normalSample(100, 3))); // far off: the window holds both batches
    expect(await score('x', 'psi')).toBeGreaterThan(0.5);
    vi.advanceTimersByTime(6_000); // the first batch has left the window
    expect(await score('x', 'ks')).toBeCloseTo(ksOfAllFarOff(), 2);
    vi.advanceTimersByTime(20_000); // and everything has: no data, NaN rather than the last score
    expect(await score('x', 'psi')).toBeNaN();
  });
});

/** KS of a sample of N(3, 1) against N(0, 1) deciles: almost all mass is above the last edge, so 0.9 minus the little below it. */
function ksOfAllFarOff(): number {
  const below = normalSample(100, 3).filter((x) => x < 1.2817).length / 100; // 1.2817: the 0.9 quantile
  return 0.9 - below;
}

describe('driftMonitor options', () => {
  const features = (rows: number[][]) => rows;

  it('refuses bad options at construction, naming them', () => {
    expect(() => driftMonitor({ reference: { format: 'x' }, features })).toThrow(
      new ProfileError('driftMonitor(options): option "reference" is not a usable profile: profile: "format" must be "inferometer-drift-profile"; got "x". Build one with inferometer-profile data.csv > reference.json'),
    );
    expect(() => driftMonitor({ reference: normalReference, features: 'rows' as never })).toThrow(
      'driftMonitor(options): option "features" must be a function reading the features from the call\'s arguments, e.g. (rows) => rows; got string',
    );
    expect(() => driftMonitor({ reference: normalReference, features, minRows: 0 })).toThrow('driftMonitor(options): option "minRows" must be a whole number of rows >= 1; got 0');
    expect(() => driftMonitor({ reference: normalReference, features, minRows: 500, window: { count: 200 } })).toThrow(
      'driftMonitor(options): option "minRows" (500) is more than option "window.count" (200): no score would ever be reported',
    );
    expect(() => driftMonitor({ reference: normalReference, features, maxVersions: 100 })).toThrow('driftMonitor(options): option "maxVersions" must be a whole number from 1 to 64; got 100');
    expect(() => driftMonitor({ reference: normalReference, features, methods: { categorical: ['ks'] } })).toThrow(
      "driftMonitor(options): option \"methods.categorical\" cannot include 'ks': the Kolmogorov-Smirnov statistic needs ordered values; use 'chi2', 'js' or 'psi'",
    );
    expect(() => driftMonitor({ reference: normalReference, features, methods: { numeric: ['wasserstein' as never] } })).toThrow(
      "driftMonitor(options): option \"methods.numeric\" must be an array of 'psi', 'ks', 'js', 'chi2'; got [\"wasserstein\"]",
    );
    expect(() => driftMonitor({ reference: normalReference, features, predictions: { class: (r: unknown) => r } })).toThrow(
      'driftMonitor(options): option "predictions.class" needs predictions.class in the reference profile; build it with the prediction columns (inferometer-profile --prediction-class <column>)',
    );
  });

  it('refuses a profile that does not match the model\'s features', () => {
    const reference = buildProfile({ columns: { a: [1, 2], b: [3, 4] } });
    expect(() => driftMonitor({ reference, features, featureNames: ['a', 'c'] })).toThrow(
      'driftMonitor(options): the reference profile does not match option "featureNames"; not in the profile: c; in the profile but not in featureNames: b',
    );
    const monitor = driftMonitor({ reference, features, featureNames: ['b', 'a'] });
    expect(monitor.featureNames).toEqual(['b', 'a']);
    expect(() => monitor.checkFeatures(3)).toThrow(
      "the reference profile has 2 features (b, a) but the model input has 3 values per row; build the profile from the model's training data",
    );
    expect(() => monitor.checkFeatures(2, ['a', 'b'], 'input "x"')).toThrow(
      "the reference profile's features (b, a) do not match input \"x\" (a, b); pass featureNames in the model's column order, or rebuild the profile",
    );
    expect(() => monitor.checkFeatures(2, ['b', 'a'])).not.toThrow();
  });

  it('refuses a profile with more features than the limit', () => {
    const reference = buildProfile({ columns: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}`, [1, 2]])) });
    expect(() => driftMonitor({ reference, features, limits: { maxFeatures: 4 } })).toThrow(
      'driftMonitor(options): option "reference" is not a usable profile: profile: 5 features is more than the limit of 4 (option limits.maxFeatures); profile fewer columns',
    );
  });
});
