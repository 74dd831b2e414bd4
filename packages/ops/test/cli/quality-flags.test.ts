import { describe, expect, it } from 'vitest';
import { parseArgs } from 'node:util';
import { OpsConfigError } from '../../src/options.js';
import { RULES_FLAGS, thresholdsFromFlags } from '../../src/cli/rules-flags.js';

const flags = (...args: string[]) => thresholdsFromFlags(parseArgs({ args, options: RULES_FLAGS, strict: true }).values);

describe('inferometer rules: the model-quality threshold flags', () => {
  it('set the quality thresholds, defaults elsewhere', () => {
    const t = flags('--accuracy-reference', '0.97', '--accuracy-margin', '0.03', '--calibration-gap', '0.2', '--data-quality-ratio', '0.01', '--min-outcomes', '100');
    expect(t).toMatchObject({ accuracyReference: 0.97, accuracyMargin: 0.03, calibrationGap: 0.2, dataQualityRatio: 0.01, minOutcomes: 100, errorRatio: 0.01 });
  });

  it('name the flag in the error', () => {
    expect(() => flags('--accuracy-margin', '2')).toThrow(OpsConfigError);
    expect(() => flags('--accuracy-margin', '2')).toThrow(/--accuracy-margin="2"/);
  });
});
