import {
  ATTR_ERROR_TYPE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_STATUS,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTIONS,
} from '@inferometer/core/catalog';
import { buildProfile, driftMonitor, type TensorLike } from '@inferometer/drift';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeOnnxMetadata } from '../../src/metadata/onnx-metadata.js';
import { instrumentSession, sessionIdentity } from '../../src/session/instrument-session.js';
import { INVALID_INPUT } from '../../src/session/invalid-input.js';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';
import { classifierBytes } from '../helpers/models.js';
import { ATTR_EXECUTION_PROVIDER, METRIC_MODEL_LOAD } from '../../src/catalog.js';
import { ATTR_FEATURE, ATTR_METHOD, METRIC_DATA_DRIFT_SCORE } from '@inferometer/drift/catalog';

let m: TestMetrics;
let model: string;
let n = 0;
const sessions: InferenceSession[] = [];
beforeEach(() => {
  m = setupTestMetrics();
  model = `onnx_${++n}`;
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.release()));
  await m.shutdown();
});

async function rawSession(bytes = classifierBytes({ graphName: model, metadata: { model_version: '2.1.0' } })): Promise<InferenceSession> {
  const session = await InferenceSession.create(bytes);
  sessions.push(session);
  return session;
}
const rows = (count: number) => new Tensor('float32', Float32Array.from({ length: count * 4 }, (_, i) => (i % 7) / 3), [count, 4]);
const series = () => ({ [ATTR_MODEL_NAME]: model, [ATTR_MODEL_VERSION]: '2.1.0' });

describe('instrumentSession: run()', () => {
  it('counts, times, and reads batch size and confidence from the tensors, with the execution provider', async () => {
    const bytes = classifierBytes({ graphName: model, metadata: { model_version: '2.1.0' } });
    const raw = await rawSession(bytes);
    const session = instrumentSession(raw, { metadata: decodeOnnxMetadata(bytes) });
    const expected = await raw.run({ features: rows(3) });
    const outputs = await session.run({ features: rows(3) });
    expect(outputs.probabilities?.data).toEqual(expected.probabilities?.data);
    await session.run({ features: rows(1) });
    expect(await m.value(METRIC_PREDICTIONS.name, { ...series(), [ATTR_STATUS]: 'success', [ATTR_EXECUTION_PROVIDER]: 'cpu' })).toBe(2);
    expect((await m.histogram(METRIC_PREDICTION_LATENCY.name, series()))?.count).toBe(2);
    expect(await m.histogram(METRIC_PREDICTION_BATCH_SIZE.name, series())).toMatchObject({ count: 2, sum: 4 });
    // One confidence per row, the row's top probability.
    const confidence = await m.histogram(METRIC_PREDICTION_CONFIDENCE.name, series());
    const probabilities = expected.probabilities!.data as Float32Array;
    const topOfFirstThree = [0, 1, 2].reduce((sum, r) => sum + Math.max(...probabilities.subarray(r * 3, r * 3 + 3)), 0);
    expect(confidence?.count).toBe(4);
    expect(confidence!.sum).toBeGreaterThan(topOfFirstThree);
    expect(sessionIdentity(session)).toEqual({ model, version: '2.1.0', executionProvider: 'cpu', confidenceOutput: 'probabilities' });
  });

  it('counts feeds that do not fit the model as invalid_input, and rethrows the very same error', async () => {
    const raw = await rawSession();
    const session = instrumentSession(raw, { model, version: '2.1.0' });
    const attempts: Record<string, unknown>[] = [
      { features: new Tensor('float32', new Float32Array(2), [1, 2]) }, // wrong width
      { features: new Tensor('float32', new Float32Array(4), [4]) }, // wrong rank
      { features: new Tensor('float64', new Float64Array(4), [1, 4]) }, // wrong type
      { other: rows(1) }, // missing input
    ];
    for (const feeds of attempts) {
      let ours: unknown;
      let theirs: unknown;
      try {
        await session.run(feeds as InferenceSession.FeedsType);
      } catch (err) {
        ours = err;
      }
      try {
        await raw.run(feeds as InferenceSession.FeedsType);
      } catch (err) {
        theirs = err;
      }
      expect(ours).toBeInstanceOf(Error);
      expect(ours).not.toHaveProperty('original');
      expect((ours as Error).message).toBe((theirs as Error).message);
    }
    expect(await m.value(METRIC_PREDICTION_ERRORS.name, { ...series(), [ATTR_ERROR_TYPE]: INVALID_INPUT })).toBe(4);
    expect(await m.value(METRIC_PREDICTIONS.name, { ...series(), [ATTR_STATUS]: 'error' })).toBe(4);
  });

  it('hands back the identical error object, and keeps other errors under their class name', async () => {
    const raw = await rawSession();
    const failure = new RangeError('backend went away');
    const flaky = Object.create(raw, { run: { value: () => Promise.reject(failure) } }) as InferenceSession;
    const session = instrumentSession(flaky, { model, version: '2.1.0' });
    await expect(session.run({ features: rows(1) })).rejects.toBe(failure);
    expect(await m.value(METRIC_PREDICTION_ERRORS.name, { ...series(), [ATTR_ERROR_TYPE]: 'RangeError' })).toBe(1);

    const bad = { features: new Tensor('float32', new Float32Array(2), [1, 2]) };
    const original = await raw.run(bad).catch((err: unknown) => err);
    const refusing = Object.create(raw, { run: { value: () => Promise.reject(original) } }) as InferenceSession;
    await expect(instrumentSession(refusing, { model, version: '2.1.0' }).run(bad)).rejects.toBe(original);
  });

  it('keeps the session API: names, metadata, instanceof, release', async () => {
    const raw = await InferenceSession.create(classifierBytes({ graphName: model }));
    const session = instrumentSession(raw, { model });
    expect(session).toBeInstanceOf(InferenceSession);
    expect(session.inputNames).toEqual(['features']);
    expect(session.outputNames).toEqual(['probabilities', 'label']);
    expect(session.inputMetadata).toEqual(raw.inputMetadata);
    expect(session.outputMetadata).toEqual(raw.outputMetadata);
    await session.release();
    await expect(raw.run({ features: rows(1) })).rejects.toThrow();
  });

  it('with recordPredictions: false, counts nothing and only feeds drift', async () => {
    const reference = buildProfile({ rows: Array.from({ length: 200 }, (_, i) => [i % 7, (i % 5) / 3, i % 3, (i % 11) / 4]), featureNames: ['a', 'b', 'c', 'd'] });
    const drift = driftMonitor({ reference, features: (feeds: { features: TensorLike }) => feeds.features, minRows: 10 });
    const session = instrumentSession(await rawSession(), { model, version: '2.1.0', recordPredictions: false, drift });
    await session.run({ features: rows(20) });
    expect(await m.value(METRIC_PREDICTIONS.name, series())).toBeUndefined();
    const psi = await m.value(METRIC_DATA_DRIFT_SCORE.name, { ...series(), [ATTR_FEATURE]: 'a', [ATTR_METHOD]: 'psi' });
    expect(psi).toBeTypeOf('number');
  });

  it('feeds drift from the input tensor when measuring too', async () => {
    const reference = buildProfile({ rows: Array.from({ length: 200 }, (_, i) => [i % 7, (i % 5) / 3, i % 3, (i % 11) / 4]), featureNames: ['a', 'b', 'c', 'd'] });
    const drift = driftMonitor({ reference, features: (feeds: { features: TensorLike }) => feeds.features, minRows: 10 });
    const session = instrumentSession(await rawSession(), { model, version: '2.1.0', drift });
    await session.run({ features: rows(20) });
    expect(await m.points(METRIC_DATA_DRIFT_SCORE.name, { ...series(), [ATTR_METHOD]: 'ks' })).toHaveLength(4);
  });
});

describe('instrumentSession: options', () => {
  it('takes the identity from the ONNX metadata, options first', async () => {
    const bytes = classifierBytes({ graphName: 'graph', modelVersion: 7, metadata: { version: 'v3' } });
    const raw = await rawSession(bytes);
    const metadata = decodeOnnxMetadata(bytes);
    expect(sessionIdentity(instrumentSession(raw, { metadata }))).toMatchObject({ model: 'graph', version: 'v3' });
    expect(sessionIdentity(instrumentSession(raw, { metadata, model: 'm', version: '1' }))).toMatchObject({ model: 'm', version: '1' });
    const bare = decodeOnnxMetadata(classifierBytes({ graphName: 'g', modelVersion: 7 }));
    expect(sessionIdentity(instrumentSession(raw, { metadata: bare }))).toMatchObject({ version: '7' });
  });

  it('refuses bad options when wrapping, naming them', async () => {
    const raw = await rawSession(classifierBytes());
    expect(() => instrumentSession(raw)).toThrow(
      'instrumentSession(session, options): option "model" is required: an existing session does not expose its ONNX graph name; pass { model: \'name\' } or { metadata: await readOnnxMetadata(pathOrBytes) }',
    );
    expect(() => instrumentSession(raw, { metadata: decodeOnnxMetadata(classifierBytes()) })).toThrow(
      'instrumentSession(session, options): option "model" is required: the ONNX graph has no name to default to',
    );
    expect(() => instrumentSession(raw, { model: 'm', confidence: 'scores' })).toThrow(
      'instrumentSession(session, options): option "confidence" names output "scores", which the model does not have; its outputs: probabilities, label',
    );
    expect(() => instrumentSession(raw, { model: 'm', loadSeconds: -1 })).toThrow('instrumentSession(session, options): option "loadSeconds" must be a number of seconds >= 0; got -1');
    expect(() => instrumentSession({} as InferenceSession, { model: 'm' })).toThrow('instrumentSession(session, options): session must be an onnxruntime InferenceSession');
  });

  it('refuses a drift profile that does not match the model input', async () => {
    const bytes = classifierBytes({ graphName: model, metadata: { features: 'a,b,c,d' } });
    const raw = await rawSession(bytes);
    const three = buildProfile({ columns: { a: [1, 2], b: [1, 2], c: [1, 2] } });
    expect(() => instrumentSession(raw, { metadata: decodeOnnxMetadata(bytes), drift: driftMonitor({ reference: three, features: (f) => f }) })).toThrow(
      'the reference profile has 3 features (a, b, c) but the model\'s input "features" has 4 values per row; build the profile from the model\'s training data',
    );
    const swapped = buildProfile({ columns: { b: [1, 2], a: [1, 2], c: [1, 2], d: [1, 2] } });
    expect(() => instrumentSession(raw, { metadata: decodeOnnxMetadata(bytes), drift: driftMonitor({ reference: swapped, features: (f) => f }) })).toThrow(
      'the reference profile\'s features (b, a, c, d) do not match the model\'s input "features" (a, b, c, d)',
    );
  });

  it('records the load time it is given, with the execution provider', async () => {
    instrumentSession(await rawSession(), { model, version: '2.1.0', loadSeconds: 0.42, executionProvider: 'cuda' });
    const load = await m.histogram(METRIC_MODEL_LOAD.name, { ...series(), [ATTR_EXECUTION_PROVIDER]: 'cuda' });
    expect(load).toMatchObject({ count: 1, sum: 0.42 });
  });
});
