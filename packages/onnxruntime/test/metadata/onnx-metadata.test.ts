import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeOnnxMetadata, OnnxMetadataError, readOnnxMetadata } from '../../src/metadata/onnx-metadata.js';
import { classifierBytes } from '../helpers/models.js';

describe('decodeOnnxMetadata', () => {
  it('reads the graph name, metadata_props, inputs, outputs and the Softmax output', () => {
    const metadata = decodeOnnxMetadata(classifierBytes({ graphName: 'iris', modelVersion: 3, metadata: { model_version: '1.2.0', owner: 'ml' } }));
    expect(metadata).toEqual({
      irVersion: 8,
      graphName: 'iris',
      domain: undefined,
      docString: undefined,
      modelVersion: 3,
      producerName: 'inferometer-test',
      producerVersion: undefined,
      metadataProps: { model_version: '1.2.0', owner: 'ml' },
      inputs: ['features'],
      outputs: ['probabilities', 'label'],
      softmaxOutputs: ['probabilities'],
    });
  });

  it('follows Identity nodes back to the Softmax, and leaves an unnamed graph undefined', () => {
    const metadata = decodeOnnxMetadata(classifierBytes({ identity: true, probabilities: 'output_probability' }));
    expect(metadata.softmaxOutputs).toEqual(['output_probability']);
    expect(metadata.graphName).toBeUndefined();
    expect(metadata.modelVersion).toBeUndefined();
  });

  it('steps over initializers: 64 MiB of weights cost no decoding', () => {
    const bytes = classifierBytes({ graphName: 'big', padding: 64 * 1024 * 1024 });
    // CPU time of this process, not wall time: waiting for a core on a loaded machine does not count.
    const started = process.cpuUsage();
    expect(decodeOnnxMetadata(bytes).graphName).toBe('big');
    const used = process.cpuUsage(started);
    // Decoding the weights with onnx-proto takes far longer; stepping over them is a few offsets.
    expect((used.user + used.system) / 1000).toBeLessThan(50);
  });

  it('refuses bytes that are not an ONNX model', () => {
    expect(() => decodeOnnxMetadata(new TextEncoder().encode('name,value\n'))).toThrow(OnnxMetadataError);
    expect(() => decodeOnnxMetadata(Uint8Array.from([0x08, 0x01]))).toThrow(
      new OnnxMetadataError('not an ONNX model: the bytes have no graph (ModelProto field 7)'),
    );
  });
});

describe('readOnnxMetadata', () => {
  it('reads from a path, a Uint8Array or an ArrayBuffer', async () => {
    const bytes = classifierBytes({ graphName: 'iris' });
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-onnx-'));
    try {
      writeFileSync(join(dir, 'model.onnx'), bytes);
      expect((await readOnnxMetadata(join(dir, 'model.onnx'))).graphName).toBe('iris');
      expect((await readOnnxMetadata(bytes)).graphName).toBe('iris');
      expect((await readOnnxMetadata(new Uint8Array(bytes).buffer)).graphName).toBe('iris');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
