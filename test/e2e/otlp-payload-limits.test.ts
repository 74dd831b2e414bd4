import { metrics } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { DATADOG_MAX_PAYLOAD_BYTES, start, type InferometerHandle } from '@inferometer/node';
import { attributesOf } from '../support/otlp-proto.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

// A large export is split into requests under the vendor's limit.
// The built @inferometer/node in this process (a service with many series)
// against the receiver that answers 413 above Datadog's 500 KB.
let receiver: OtlpReceiver;
let handle: InferometerHandle | undefined;
afterAll(async () => {
  await handle?.shutdown();
  metrics.disable();
  await receiver?.close();
});

describe('an export larger than the Datadog intake takes', () => {
  it('arrives in several requests, each under 500 KB, with every series once', async () => {
    receiver = await startOtlpReceiver({ vendor: 'datadog', apiKey: 'k' });
    handle = await start({
      env: { OTEL_METRICS_EXPORTER: 'otlp', INFEROMETER_OTLP_PRESET: 'datadog', DD_API_KEY: 'k', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.metricsUrl },
    });
    // Four metrics of 1,500 series each (under the SDK's 2,000-series cardinality limit per metric).
    const meter = metrics.getMeter('payload-test');
    const counters = [0, 1, 2, 3].map((n) => meter.createCounter(`payload_test_${n}`));
    const SERIES = 6000;
    for (let i = 0; i < SERIES; i++) {
      counters[i % 4]!.add(1, { model_name: `model-${i}`, model_version: '1.0.0', status: 'success', tenant: `tenant-with-a-long-name-${i % 97}` });
    }
    await handle.forceFlush();

    expect(receiver.received.filter((r) => r.status !== 200)).toEqual([]);
    const accepted = receiver.accepted();
    expect(accepted.length).toBeGreaterThan(1);
    for (const request of accepted) expect(request.uncompressedBytes).toBeLessThanOrEqual(DATADOG_MAX_PAYLOAD_BYTES);
    const seen = new Set<string>();
    for (const request of accepted) {
      for (const rm of request.request.resourceMetrics ?? []) {
        for (const sm of rm.scopeMetrics ?? []) {
          for (const metric of sm.metrics ?? []) {
            if (!metric.name.startsWith('payload_test_')) continue;
            for (const point of metric.sum?.dataPoints ?? []) {
              const model = attributesOf(point.attributes).model_name!;
              expect(seen.has(model)).toBe(false);
              seen.add(model);
            }
          }
        }
      }
    }
    expect(seen.size).toBe(SERIES);
  });
});
