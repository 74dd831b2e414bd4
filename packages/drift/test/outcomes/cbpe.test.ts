import { instrument } from '@inferometer/core';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { METRIC_EXPECTED_CORRECT, METRIC_OUTCOMES, METRIC_PREDICTIONS_SCORED } from '../../src/quality-catalog.js';
import { outcomeTracker } from '../../src/outcomes/tracker.js';
import { seeded } from '../helpers/rng.js';

let m: TestMetrics;
let model: string;
let n = 0;
beforeEach(() => {
  m = setupTestMetrics();
  model = `cbpe_${++n}`;
});
afterEach(async () => m.shutdown());

/**
 * A synthetic binary classifier: each prediction's confidence comes from
 * `confidence(random)`; it is right with probability `truth(confidence)`
 * (the identity for a calibrated model). 5,000 predictions are served, and
 * the outcomes of a random 1,000 of them are reported. Returns the
 * estimated accuracy (CBPE: expected correct over scored, from every
 * prediction) and the realised one (correct over outcomes), read from the
 * exported metrics as the recording rules read them.
 */
async function run(seed: number, confidence: (random: () => number) => number, truth: (c: number) => number): Promise<{ estimated: number; realised: number }> {
  const random = seeded(seed);
  const outcomes = outcomeTracker({
    task: 'classification',
    id: ([r]: [{ id: number }]) => r.id,
    prediction: (r: { label: string; p: number }) => r.label,
    confidence: (r: { label: string; p: number }) => r.p,
  });
  const predict = instrument((r: { id: number; label: string; p: number }) => ({ label: r.label, p: r.p }), { model, version: '1', drift: outcomes });
  const truths: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const c = confidence(random);
    const label = random() < 0.5 ? 'yes' : 'no';
    predict({ id: i, label, p: c });
    truths.push(random() < truth(c) ? label : label === 'yes' ? 'no' : 'yes');
  }
  let reported = 0;
  while (reported < 1000) {
    const i = Math.floor(random() * 5000);
    if (outcomes.report(i, truths[i]) === 'joined') reported++;
  }
  const at = { model_name: model };
  const estimated = (await m.value(METRIC_EXPECTED_CORRECT.name, at))! / (await m.value(METRIC_PREDICTIONS_SCORED.name, at))!;
  const correct = (await m.value(METRIC_OUTCOMES.name, { ...at, result: 'correct' }))!;
  const incorrect = (await m.value(METRIC_OUTCOMES.name, { ...at, result: 'incorrect' }))!;
  expect(correct + incorrect).toBe(1000);
  return { estimated, realised: correct / 1000 };
}

const calibrated = (c: number) => c;

describe('estimated accuracy (CBPE) beside the realised one', () => {
  // Tolerance: 2 points at 1,000 outcomes. The realised accuracy's own
  // sampling error there is sqrt(p(1-p)/1000), about 1.3 points at p = 0.8
  // and 0.9 points at p = 0.9; the seeds are fixed, so each case is
  // deterministic.
  it.each([
    ['confident model, uniform on [0.8, 1]', 1, (r: () => number) => 0.8 + 0.2 * r()],
    ['middling model, uniform on [0.5, 1]', 2, (r: () => number) => 0.5 + 0.5 * r()],
    ['mixed model, 0.55 or 0.95', 3, (r: () => number) => (r() < 0.5 ? 0.55 : 0.95)],
    ['skewed model, 1 - u^2 / 2', 4, (r: () => number) => 1 - (r() * r()) / 2],
  ])('tracks realised accuracy within 2 points on a calibrated stream: %s', async (_name, seed, confidence) => {
    const { estimated, realised } = await run(seed, confidence, calibrated);
    expect(Math.abs(estimated - realised)).toBeLessThan(0.02);
  });

  it('parts from the realised accuracy on a miscalibrated (overconfident) stream', async () => {
    // Confidence says 0.8 to 1; the model is right 25 points less often.
    const { estimated, realised } = await run(5, (r) => 0.8 + 0.2 * r(), (c) => c - 0.25);
    expect(estimated - realised).toBeGreaterThan(0.15);
  });
});
