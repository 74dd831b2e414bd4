import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OnnxMetadataError } from '../../src/metadata/onnx-metadata.js';
import { createInstrumentedSession } from '../../src/session/create-session.js';
import { sessionIdentity } from '../../src/session/instrument-session.js';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';
import { classifierBytes } from '../helpers/models.js';
import { ATTR_EXECUTION_PROVIDER, METRIC_MODEL_LOAD } from '../../src/catalog.js';

let m: TestMetrics;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inferometer-create-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  m = setupTestMetrics();
});
afterEach(async () => m.shutdown());

const one = () => new Tensor('float32', Float32Array.from([5.1, 3.5, 1.4, 0.2]), [1, 4]);

describe('createInstrumentedSession', () => {
  it('loads from a path: identity from the metadata, load time with the execution provider', async () => {
    const path = join(dir, 'model.onnx');
    writeFileSync(path, classifierBytes({ graphName: 'from_path', metadata: { model_version: '3.0.0' } }));
    const session = await createInstrumentedSession(path, { sessionOptions: { executionProviders: ['cpu'] } });
    try {
      expect(session).toBeInstanceOf(InferenceSession);
      expect(sessionIdentity(session)).toMatchObject({ model: 'from_path', version: '3.0.0', executionProvider: 'cpu' });
      await session.run({ features: one() });
      const attributes = { [ATTR_MODEL_NAME]: 'from_path', [ATTR_MODEL_VERSION]: '3.0.0', [ATTR_EXECUTION_PROVIDER]: 'cpu' };
      const load = await m.histogram(METRIC_MODEL_LOAD.name, attributes);
      expect(load?.count).toBe(1);
      expect(load!.sum).toBeGreaterThan(0);
      expect(load!.sum).toBeLessThan(10);
      expect(await m.value(METRIC_PREDICTIONS.name, attributes)).toBe(1);
    } finally {
      await session.release();
    }
  });

  it('loads from bytes, and records a load made before the MeterProvider into it afterwards', async () => {
    await m.shutdown(); // no provider while loading
    const session = await createInstrumentedSession(classifierBytes({ graphName: 'early' }), { version: '1' });
    m = setupTestMetrics();
    try {
      await session.run({ features: one() });
      expect((await m.histogram(METRIC_MODEL_LOAD.name, { [ATTR_MODEL_NAME]: 'early' }))?.count).toBe(1);
    } finally {
      await session.release();
    }
  });

  it('fails at creation for a file that is not ONNX, or a bad option', async () => {
    const text = join(dir, 'model.csv');
    writeFileSync(text, 'a,b\n1,2\n');
    await expect(createInstrumentedSession(text)).rejects.toThrow(OnnxMetadataError);
    await expect(createInstrumentedSession(join(dir, 'absent.onnx'))).rejects.toThrow('ENOENT');
    await expect(createInstrumentedSession(classifierBytes({ graphName: 'g' }), { confidence: 'nope' })).rejects.toThrow(
      'option "confidence" names output "nope", which the model does not have; its outputs: probabilities, label',
    );
    await expect(createInstrumentedSession(42 as never)).rejects.toThrow('createInstrumentedSession(source, options): source must be a model file path, a Uint8Array or an ArrayBuffer of ONNX bytes');
  });
});
