import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrument } from '@inferometer/core';
import { METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { start, type InferometerHandle } from '../src/start.js';
import { blameAsync } from './helpers/blame.js';

let handle: InferometerHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  metrics.disable();
});

describe('start()', () => {
  it('serves the catalog on its own pull endpoint with no configuration beyond a port', async () => {
    handle = await start({ prometheus: { host: '127.0.0.1', port: 0 }, env: { OTEL_SERVICE_NAME: 'iris-server' } });
    expect(handle.exporters).toEqual(['prometheus']);
    const predict = instrument((x: number) => x, { model: 'start-test', version: '1.0.0' });
    predict(1);
    const response = await fetch(handle.metricsUrl!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await response.text();
    expect(body).toContain(`${METRIC_PREDICTIONS.prometheusName}{model_name="start-test",model_version="1.0.0",status="success"} 1`);
    expect(body).toContain('service_name="iris-server"');
    // No scope labels on the catalog's series.
    expect(body).not.toContain('otel_scope_name');
    expect((await fetch(handle.metricsUrl!.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('reads the port from OTEL_EXPORTER_PROMETHEUS_PORT', async () => {
    handle = await start({ env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1' } });
    expect(handle.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  });

  it('fails at start on a bad variable, naming it', async () => {
    const exporter = await blameAsync(start({ env: { OTEL_METRICS_EXPORTER: 'prometheus,zipkin' } }));
    expect([exporter.variable, exporter.accepted]).toEqual(['OTEL_METRICS_EXPORTER', 'prometheus, console, none, otlp, prometheusremotewrite, awsemf (comma-separated)']);
    expect((await blameAsync(start({ env: { OTEL_EXPORTER_PROMETHEUS_PORT: 'http' } }))).variable).toBe('OTEL_EXPORTER_PROMETHEUS_PORT');
    const timing = await blameAsync(start({ env: { OTEL_METRICS_EXPORTER: 'console', OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_METRIC_EXPORT_TIMEOUT: '5000' } }));
    expect([timing.variable, timing.related]).toEqual(['OTEL_METRIC_EXPORT_TIMEOUT', ['OTEL_METRIC_EXPORT_INTERVAL']]);
    expect((await blameAsync(start({ env: { OTEL_RESOURCE_ATTRIBUTES: 'team' } }))).variable).toBe('OTEL_RESOURCE_ATTRIBUTES');
    // A failed start leaves nothing registered.
    handle = await start({ prometheus: { port: 0 } });
  });

  it('fails clearly when the port is taken', async () => {
    handle = await start({ prometheus: { host: '127.0.0.1', port: 0 } });
    const port = new URL(handle.metricsUrl!).port;
    const first = handle;
    await first.shutdown();
    const blocker = await start({ prometheus: { host: '127.0.0.1', port: Number(port) } });
    metrics.disable();
    await expect(start({ prometheus: { host: '127.0.0.1', port: Number(port) } })).rejects.toThrow(
      `cannot serve metrics (OTEL_EXPORTER_PROMETHEUS_HOST / _PORT, prometheus.host / .port)`,
    );
    handle = blocker;
  });

  it('refuses to replace a MeterProvider the service already registered, and says what to do', async () => {
    const own = new MeterProvider();
    metrics.setGlobalMeterProvider(own);
    await expect(start({ prometheus: { port: 0 } })).rejects.toThrow('a global MeterProvider is already registered');
    expect(metrics.getMeterProvider()).toBe(own);
  });

  it('with exporters "none" runs no reader and no server', async () => {
    handle = await start({ env: { OTEL_METRICS_EXPORTER: 'none' } });
    expect(handle.metricsUrl).toBeUndefined();
    expect(typeof handle.metricsHandler).toBe('function');
  });

  it('pushes to the console exporter and flushes on shutdown', async () => {
    const lines: unknown[] = [];
    const spy = vi.spyOn(console, 'dir').mockImplementation((value: unknown) => {
      lines.push(value);
    });
    try {
      handle = await start({ exporters: ['console'], exportIntervalMillis: 60_000 });
      instrument(() => 1, { model: 'console-test' })();
      await handle.shutdown();
      expect(JSON.stringify(lines)).toContain('ml_predictions');
    } finally {
      spy.mockRestore();
    }
  });

  it('shutdown is idempotent and unregisters the provider so start() can run again', async () => {
    const first = await start({ prometheus: { port: 0 } });
    await Promise.all([first.shutdown(), first.shutdown()]);
    expect(metrics.getMeterProvider()).not.toBe(first.meterProvider);
    handle = await start({ prometheus: { port: 0 } });
    expect(metrics.getMeterProvider()).toBe(handle.meterProvider);
  });

  it('on SIGTERM with handleSignals, flushes before the signal takes its course', async () => {
    handle = await start({ prometheus: { port: 0 }, handleSignals: true });
    const shutdown = vi.spyOn(handle.meterProvider, 'shutdown');
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    try {
      process.emit('SIGTERM', 'SIGTERM');
      await vi.waitFor(() => expect(kill).toHaveBeenCalledWith(process.pid, 'SIGTERM'));
      expect(shutdown).toHaveBeenCalled();
    } finally {
      kill.mockRestore();
    }
  });
});

describe('start() that fails', () => {
  it('leaves recording on the OpenTelemetry API path, so a provider registered afterwards gets the calls', async () => {
    expect((await blameAsync(start({ prometheus: { port: 0 }, env: { OTEL_RESOURCE_ATTRIBUTES: 'team=r%26d%' } }))).variable).toBe('OTEL_RESOURCE_ATTRIBUTES');
    const { createPrometheusReader } = await import('../src/prometheus/handler.js');
    const { reader } = createPrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    try {
      instrument(() => 1, { model: 'after-failed-start' })();
      const { resourceMetrics } = await reader.collect();
      const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
      expect(names).toContain(METRIC_PREDICTIONS.name);
    } finally {
      await provider.shutdown();
    }
  });
});
