import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument } from '@inferometer/core';
import { ConfigurationError } from '../../src/config/env.js';
import { NATIVE_HISTOGRAMS_VARIABLE } from '../../src/exporters/prometheus.js';
import { start, type InferometerHandle } from '../../src/start.js';

const handles: InferometerHandle[] = [];
afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.shutdown();
  metrics.disable();
});

describe(`${NATIVE_HISTOGRAMS_VARIABLE}`, () => {
  it('refuses anything but true or false at start, naming the variable', async () => {
    await expect(start({ env: { OTEL_METRICS_EXPORTER: 'prometheus', [NATIVE_HISTOGRAMS_VARIABLE]: 'yes' }, prometheus: { server: false } })).rejects.toSatisfy(
      (err) => err instanceof ConfigurationError && err.variable === NATIVE_HISTOGRAMS_VARIABLE,
    );
  });

  it('true: the text endpoint still serves the classic buckets of the catalog histograms (kept as both)', async () => {
    const handle = await start({ env: { OTEL_METRICS_EXPORTER: 'prometheus', [NATIVE_HISTOGRAMS_VARIABLE]: 'true' }, prometheus: { port: 0, host: '127.0.0.1' } });
    handles.push(handle);
    const predict = instrument((x: number) => x, { model: 'native-env', version: '1' });
    for (let i = 0; i < 3; i++) predict(i);
    const response = await (await fetch(handle.metricsUrl!)).text();
    expect(response).toMatch(/ml_prediction_latency_seconds_count\{[^}]*model_name="native-env"[^}]*\} 3/);
  });
});
