import { describe, expect, it } from 'vitest';
import { InferometerConfigError } from '@inferometer/core';
import { decodeOnnxMetadata } from '../../src/metadata/onnx-metadata.js';
import { chooseConfidence } from '../../src/session/confidence.js';
import { classifierBytes } from '../helpers/models.js';

const outputs = (names: string[], type = 'float32') => ({
  outputNames: names,
  outputMetadata: names.map((name) => ({ name, isTensor: true as const, type: type as 'float32', shape: ['batch', 3] })),
});
const tensor = { dims: [2, 3], data: Float32Array.from([0.1, 0.2, 0.7, 0.5, 0.25, 0.25]) };

describe('chooseConfidence', () => {
  it('prefers the Softmax output of the graph, whatever its name', () => {
    const metadata = decodeOnnxMetadata(classifierBytes({ identity: true, probabilities: 'y' }));
    const chosen = chooseConfidence('w', undefined, outputs(['y', 'label']), metadata);
    expect(chosen.output).toBe('y');
    const rows = chosen.extractor!({ y: tensor } as never) as Float32Array[];
    expect(rows.map((r) => [...r])).toEqual([[0.1, 0.2, 0.7].map(Math.fround), [0.5, 0.25, 0.25]]);
  });

  it('falls back to a float output named like a probability, else none', () => {
    expect(chooseConfidence('w', undefined, outputs(['output_label', 'output_probability']), undefined).output).toBe('output_probability');
    expect(chooseConfidence('w', undefined, outputs(['logits']), undefined)).toEqual({ extractor: undefined, output: undefined });
    expect(chooseConfidence('w', undefined, outputs(['probs'], 'int64'), undefined).output).toBeUndefined();
  });

  it('takes an output name, a function, or false', () => {
    expect(chooseConfidence('w', 'logits', outputs(['logits']), undefined).output).toBe('logits');
    const custom = () => 0.5;
    expect(chooseConfidence('w', custom, outputs(['logits']), undefined).extractor).toBe(custom);
    expect(chooseConfidence('w', false, outputs(['probabilities']), undefined).extractor).toBeUndefined();
    expect(() => chooseConfidence('w', 42 as never, outputs(['p']), undefined)).toThrow('w: option "confidence" must be an output name, a function of the outputs, or false');
  });

  it('refuses an output the model lacks with a configuration error that suggests the near one', () => {
    let thrown: unknown;
    try {
      chooseConfidence('w', 'probabilites', outputs(['label', 'probabilities']), undefined);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InferometerConfigError);
    expect(thrown).toBeInstanceOf(TypeError);
    const error = thrown as InferometerConfigError;
    expect([error.option, error.accepted, error.hint, error.code]).toEqual(['confidence', ['label', 'probabilities'], 'probabilities', 'ERR_INFEROMETER_UNKNOWN_OPTION']);
    expect(error.message).toBe('w: option "confidence" names output "probabilites", which the model does not have; its outputs: label, probabilities');
  });
});
