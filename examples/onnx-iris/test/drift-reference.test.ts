import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTR_MODEL_NAME } from '@inferometer/core/catalog';
import { driftMonitor, parseProfile, type TensorLike } from '@inferometer/drift';
import { createInstrumentedSession, readOnnxMetadata } from '@inferometer/onnxruntime';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Tensor } from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { IRIS_CLASSES, IRIS_FEATURES, trainIris, trainingCsv } from '../scripts/train-iris.js';
import { loadTrainingRows } from '../src/training-data.js';
import { ATTR_FEATURE, ATTR_METHOD, METRIC_DATA_DRIFT_SCORE } from '@inferometer/drift/catalog';

// What `npm run build` leaves in model/: the training CSV (with the model's
// own predictions) and the reference profile inferometer-profile made of it.
const modelDir = join(import.meta.dirname, '..', 'model');

class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe('the demo reference profile', () => {
  const reader = new PullReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  metrics.disable();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  afterAll(() => metrics.disable());

  it('writes the training CSV with predicted class and confidence per row', () => {
    const lines = trainingCsv(trainIris()).trim().split('\n');
    expect(lines[0]).toBe([...IRIS_FEATURES, 'predicted_class', 'confidence'].join(','));
    expect(lines).toHaveLength(151);
    const [, , , , cls, conf] = lines[1]!.split(',');
    expect(IRIS_CLASSES).toContain(cls);
    expect(Number(conf)).toBeGreaterThan(0.9);
  });

  it('matches the model: its features are the ONNX metadata features, its classes the model classes', async () => {
    const profile = parseProfile(JSON.parse(readFileSync(join(modelDir, 'iris-reference.json'), 'utf8')));
    const metadata = await readOnnxMetadata(join(modelDir, 'iris.onnx'));
    expect(profile.features.map((f) => f.name).join(',')).toBe(metadata.metadataProps.features);
    expect(profile.rows).toBe(150);
    expect([...(profile.predictions?.class?.categories ?? [])].sort()).toEqual([...IRIS_CLASSES].sort());
    expect(profile.predictions?.confidence?.type).toBe('numeric');
  });

  it('scores the training rows at zero through the real session, and a petal_length shift high', async () => {
    const reference = JSON.parse(readFileSync(join(modelDir, 'iris-reference.json'), 'utf8'));
    const rows = await loadTrainingRows(join(modelDir, 'iris-train.csv'));
    const score = async (feature: string): Promise<number | undefined> => {
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === METRIC_DATA_DRIFT_SCORE.name);
      const point = (metric?.dataPoints as { attributes: Record<string, unknown>; value: number }[] | undefined)?.find(
        (p) => p.attributes[ATTR_MODEL_NAME] === 'iris' && p.attributes[ATTR_FEATURE] === feature && p.attributes[ATTR_METHOD] === 'psi',
      );
      return point?.value;
    };
    const drift = driftMonitor({ reference, features: (feeds: { float_input: TensorLike }) => feeds.float_input, window: { count: 150 } });
    const session = await createInstrumentedSession(join(modelDir, 'iris.onnx'), { recordPredictions: false, drift });
    try {
      // float32 tensors, as the demo sends them: the profile's edges sit between values, so rounding moves nothing.
      await session.run({ float_input: new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]) });
      for (const feature of IRIS_FEATURES) expect(await score(feature)).toBeLessThan(1e-9);
      const shifted = rows.map((r) => r.map((v, j) => (j === 2 ? v + 1.5 : v)));
      await session.run({ float_input: new Tensor('float32', Float32Array.from(shifted.flat()), [rows.length, 4]) });
      expect(await score('petal_length')).toBeGreaterThan(0.25);
      expect(await score('sepal_width')).toBeLessThan(1e-9);
    } finally {
      await session.release();
    }
  });
});
