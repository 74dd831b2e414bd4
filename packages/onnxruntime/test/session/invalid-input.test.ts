import { describe, expect, it } from 'vitest';
import { isInvalidInput } from '../../src/session/invalid-input.js';

const session = { inputMetadata: [{ name: 'x', isTensor: true as const, type: 'float32' as const, shape: ['batch', 4] }] };
const tensor = (type: string, dims: number[]) => ({ type, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });
const plain = new Error('something else');

describe('isInvalidInput', () => {
  it('compares the feeds with the input metadata: type, rank, fixed dimensions, presence', () => {
    expect(isInvalidInput(plain, { x: tensor('float32', [2, 4]) }, session)).toBe(false);
    expect(isInvalidInput(plain, { x: tensor('float32', [2, 3]) }, session)).toBe(true);
    expect(isInvalidInput(plain, { x: tensor('float32', [8]) }, session)).toBe(true);
    expect(isInvalidInput(plain, { x: tensor('int32', [2, 4]) }, session)).toBe(true);
    expect(isInvalidInput(plain, { y: tensor('float32', [2, 4]) }, session)).toBe(true);
    expect(isInvalidInput(plain, { x: [1, 2, 3, 4] }, session)).toBe(true);
    expect(isInvalidInput(plain, 'feeds', session)).toBe(true);
  });

  it('falls back to onnxruntime\'s messages when there is no metadata', () => {
    const none = { inputMetadata: undefined as never };
    expect(isInvalidInput(new Error('Got invalid dimensions for input: x for the following indices'), {}, none)).toBe(true);
    expect(isInvalidInput(new Error('Unexpected input data type. Actual: (tensor(double)) , expected: (tensor(float))'), {}, none)).toBe(true);
    expect(isInvalidInput(plain, {}, none)).toBe(false);
  });
});
