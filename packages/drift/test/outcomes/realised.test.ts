import { instrument } from '@inferometer/core';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  METRIC_ABSOLUTE_ERROR,
  METRIC_CONFUSION,
  METRIC_EXPECTED_CORRECT,
  METRIC_LABEL_DELAY,
  METRIC_OUTCOME_CONFIDENCE,
  METRIC_OUTCOMES,
  METRIC_OUTCOMES_BY_CONFIDENCE,
  METRIC_PREDICTIONS_KEPT,
  METRIC_PREDICTIONS_SCORED,
  METRIC_SIGNED_ERROR,
  METRIC_SQUARED_ERROR,
} from '../../src/quality-catalog.js';
import { outcomeTracker } from '../../src/outcomes/tracker.js';
import { seeded } from '../helpers/rng.js';

let m: TestMetrics;
let model: string;
let n = 0;
beforeEach(() => {
  m = setupTestMetrics();
  model = `realised_${++n}`;
});
afterEach(async () => m.shutdown());

const CLASSES = ['setosa', 'versicolor', 'virginica'];
const BINS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

interface Row { id: string; predicted: string; actual: string; confidence: number; reported: boolean }

/** A seeded stream: three classes, a confidence per prediction, an outcome for 60 % of them. */
function stream(seed: number, count: number): Row[] {
  const random = seeded(seed);
  return Array.from({ length: count }, (_, i) => {
    const predicted = CLASSES[Math.floor(random() * 3)]!;
    const confidence = 1 / 3 + random() * (2 / 3);
    const right = random() < confidence;
    const actual = right ? predicted : CLASSES[(CLASSES.indexOf(predicted) + 1 + Math.floor(random() * 2)) % 3]!;
    return { id: `req-${i}`, predicted, actual, confidence, reported: random() < 0.6 };
  });
}

describe('realised classification metrics against the offline reference', () => {
  it('confusion, accuracy, precision, recall, F1 and calibration match scikit-learn\'s formulas exactly', async () => {
    const rows = stream(7, 5000);
    const outcomes = outcomeTracker({
      task: 'classification',
      id: ([request]: [{ id: string }]) => request.id,
      prediction: (r: { label: number; probabilities: number[] }) => r.label,
      confidence: (r: { label: number; probabilities: number[] }) => r.probabilities,
      classNames: CLASSES,
    });
    // The model answers with a class index and a probability vector, as an ONNX classifier does.
    const predict = instrument(
      async (request: { id: string; row: Row }) => {
        const top = CLASSES.indexOf(request.row.predicted);
        const rest = (1 - request.row.confidence) / 2;
        return { label: top, probabilities: CLASSES.map((_, k) => (k === top ? request.row.confidence : rest)) };
      },
      { model, version: '2.0.0', drift: outcomes },
    );
    for (const row of rows) await predict({ id: row.id, row });
    for (const row of rows) if (row.reported) expect(outcomes.report(row.id, row.actual)).toBe('joined');

    // The reference, written out: sklearn.metrics.confusion_matrix (rows
    // predicted here, to match the labels), accuracy_score,
    // precision_recall_fscore_support, and expected calibration error over
    // the bins (lower, upper] (Guo et al. 2017, eq. 3).
    const labelled = rows.filter((r) => r.reported);
    const N = labelled.length;
    const C = CLASSES.map(() => CLASSES.map(() => 0));
    for (const r of labelled) C[CLASSES.indexOf(r.predicted)]![CLASSES.indexOf(r.actual)]!++;
    const correct = labelled.filter((r) => r.predicted === r.actual).length;
    const binOf = (c: number) => BINS.findIndex((upper) => c <= upper);
    const binCorrect = BINS.map(() => 0);
    const binWrong = BINS.map(() => 0);
    const binConfidence = BINS.map(() => 0);
    for (const r of labelled) {
      const b = binOf(r.confidence);
      if (r.predicted === r.actual) binCorrect[b]!++;
      else binWrong[b]!++;
      binConfidence[b]! += Math.fround(r.confidence);
    }
    const ece = BINS.reduce((sum, _, b) => sum + Math.abs(binCorrect[b]! - binConfidence[b]!), 0) / N;

    const at = { model_name: model, model_version: '2.0.0' };
    expect(await m.value(METRIC_PREDICTIONS_KEPT.name, at)).toBe(5000);
    expect(await m.value(METRIC_OUTCOMES.name, { ...at, result: 'correct' })).toBe(correct);
    expect(await m.value(METRIC_OUTCOMES.name, { ...at, result: 'incorrect' })).toBe(N - correct);
    const confusion = await m.points(METRIC_CONFUSION.name, at);
    expect(confusion).toHaveLength(9);
    const cell = (p: string, a: string) => confusion.find((x) => x.attributes.predicted === p && x.attributes.actual === a)?.value ?? 0;
    for (const p of CLASSES) for (const a of CLASSES) expect(cell(p, a)).toBe(C[CLASSES.indexOf(p)]![CLASSES.indexOf(a)]);
    // What the recording rules compute in PromQL, from the series.
    const accuracy = CLASSES.reduce((s, k) => s + cell(k, k), 0) / confusion.reduce((s, x) => s + x.value, 0);
    expect(accuracy).toBe(correct / N);
    for (const [k, name] of CLASSES.entries()) {
      const precision = cell(name, name) / CLASSES.reduce((s, a) => s + cell(name, a), 0);
      const recall = cell(name, name) / CLASSES.reduce((s, p) => s + cell(p, name), 0);
      const refPrecision = C[k]![k]! / C[k]!.reduce((a, b) => a + b, 0);
      const refRecall = C[k]![k]! / C.reduce((s, row) => s + row[k]!, 0);
      expect(precision).toBe(refPrecision);
      expect(recall).toBe(refRecall);
      expect((2 * precision * recall) / (precision + recall)).toBe((2 * refPrecision * refRecall) / (refPrecision + refRecall));
    }
    for (const [b, bin] of BINS.entries()) {
      expect(await m.value(METRIC_OUTCOMES_BY_CONFIDENCE.name, { ...at, confidence_bin: String(bin), result: 'correct' })).toBe(binCorrect[b]);
      expect(await m.value(METRIC_OUTCOMES_BY_CONFIDENCE.name, { ...at, confidence_bin: String(bin), result: 'incorrect' })).toBe(binWrong[b]);
    }
    let sumGap = 0;
    for (const [b, bin] of BINS.entries()) {
      const sum = (await m.value(METRIC_OUTCOME_CONFIDENCE.name, { ...at, confidence_bin: String(bin) }))!;
      expect(sum).toBeCloseTo(binConfidence[b]!, 6);
      sumGap += Math.abs(binCorrect[b]! - sum);
    }
    expect(sumGap / N).toBeCloseTo(ece, 9);
    // CBPE's inputs: every prediction, labelled or not.
    expect(await m.value(METRIC_PREDICTIONS_SCORED.name, at)).toBe(5000);
    expect(await m.value(METRIC_EXPECTED_CORRECT.name, at)).toBeCloseTo(rows.reduce((s, r) => s + Math.fround(r.confidence), 0), 4);
  });

  it('caps the confusion classes per version: later classes are _OTHER, the cap counted', async () => {
    const outcomes = outcomeTracker({ task: 'classification', id: ([r]: [{ id: string }]) => r.id, prediction: (r: { label: string }) => r.label, maxClasses: 3 });
    const predict = instrument((r: { id: string; label: string }) => ({ label: r.label }), { model, version: '1', drift: outcomes });
    for (let i = 0; i < 50; i++) {
      predict({ id: `i${i}`, label: `class_${i}` });
      outcomes.report(`i${i}`, `class_${i}`);
    }
    const points = await m.points(METRIC_CONFUSION.name, { model_name: model });
    // class_0..2 on the diagonal, everything later in (_OTHER, _OTHER): at most (3 + 1)^2 series.
    expect(points.map((p) => [p.attributes.predicted, p.attributes.actual, p.attributes.result, p.value]).sort()).toEqual([
      ['_OTHER', '_OTHER', 'correct', 47],
      ['class_0', 'class_0', 'correct', 1],
      ['class_1', 'class_1', 'correct', 1],
      ['class_2', 'class_2', 'correct', 1],
    ]);
    // Correctness is judged on the full names, before the cap.
    expect(await m.value(METRIC_OUTCOMES.name, { model_name: model, result: 'correct' })).toBe(50);
  });
});

describe('realised regression metrics and label delay', () => {
  it('absolute error histogram, squared and signed error sums, delays: exact against the offline reference', async () => {
    let now = 0;
    const outcomes = outcomeTracker({ task: 'regression', id: ([r]: [{ id: string }]) => r.id, prediction: (r: { value: number }) => r.value, clock: () => now });
    const predict = instrument((r: { id: string; x: number }) => ({ value: 2 * r.x + 1 }), { model, version: '1', drift: outcomes });
    const random = seeded(11);
    const truths: { id: string; predicted: number; actual: number; delay: number }[] = [];
    for (let i = 0; i < 2000; i++) {
      const x = random() * 10;
      predict({ id: `r${i}`, x });
      truths.push({ id: `r${i}`, predicted: 2 * x + 1, actual: 2 * x + 1 + (random() - 0.3) * 4, delay: Math.floor(random() * 7200) });
    }
    // Outcomes arrive in order of delay, on the fake clock (seconds as ms).
    for (const t of [...truths].sort((a, b) => a.delay - b.delay)) {
      now = t.delay * 1000;
      expect(outcomes.report(t.id, t.actual)).toBe('joined');
    }
    const at = { model_name: model, model_version: '1' };
    const errors = truths.map((t) => t.predicted - t.actual);
    const N = errors.length;
    const mae = errors.reduce((s, e) => s + Math.abs(e), 0) / N;
    const rmse = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / N);
    const bias = errors.reduce((s, e) => s + e, 0) / N;
    expect(await m.value(METRIC_OUTCOMES.name, { ...at, result: 'observed' })).toBe(N);
    const abs = (await m.histogram(METRIC_ABSOLUTE_ERROR.name, at))!;
    expect(abs.count).toBe(N);
    expect(abs.sum / abs.count).toBeCloseTo(mae, 9);
    expect(abs.buckets.counts).toEqual([...abs.buckets.boundaries, Infinity].map((upper, i, all) => errors.filter((e) => Math.abs(e) <= upper && (i === 0 || Math.abs(e) > all[i - 1]!)).length));
    expect(Math.sqrt((await m.value(METRIC_SQUARED_ERROR.name, at))! / N)).toBeCloseTo(rmse, 9);
    expect((await m.value(METRIC_SIGNED_ERROR.name, at))! / N).toBeCloseTo(bias, 9);
    const delay = (await m.histogram(METRIC_LABEL_DELAY.name, at))!;
    expect(delay.count).toBe(N);
    expect(delay.sum).toBe(truths.reduce((s, t) => s + t.delay, 0));
    expect(delay.buckets.counts).toEqual([...delay.buckets.boundaries, Infinity].map((upper, i, all) => truths.filter((t) => t.delay <= upper && (i === 0 || t.delay > all[i - 1]!)).length));
    // The labelled share: every kept prediction got its outcome.
    expect(await m.value(METRIC_PREDICTIONS_KEPT.name, at)).toBe(N);
  });
});
