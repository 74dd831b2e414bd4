import { startPrometheus, type PrometheusServer } from '@inferometer/testing';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument } from '@inferometer/core';
import { METRIC_PREDICTION_ERRORS, METRIC_PREDICTION_LATENCY } from '@inferometer/core/catalog';
import { start, type InferometerHandle } from '../../src/start.js';
import { serialize } from '../../src/prometheus/serializer.js';
import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { emptyResource } from '@opentelemetry/resources';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  context.disable();
  trace.disable();
});

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';

/** A start() endpoint, a context manager and a real tracer; returns what the tests need. */
async function setup(model: string, options: Parameters<typeof start>[0] = { prometheus: { host: '127.0.0.1', port: 0 } }): Promise<{ handle: InferometerHandle; inSpan: (fn: () => Promise<unknown>) => Promise<{ traceId: string; spanId: string }> }> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new TracerProvider();
  closers.push(() => provider.shutdown());
  const handle = await start(options);
  closers.push(() => handle.shutdown());
  const tracer = provider.getTracer(model);
  const inSpan = (fn: () => Promise<unknown>) =>
    tracer.startActiveSpan('predict', async (span) => {
      await fn().catch(() => undefined);
      span.end();
      return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
    });
  return { handle, inSpan };
}

describe('exemplars on the pull endpoint', () => {
  it('writes the span of a traced call after its latency bucket and its error counter in OpenMetrics only', async () => {
    const model = 'exemplar-unit';
    const { handle, inSpan } = await setup(model);
    const predict = instrument(async (fail: boolean) => {
      await new Promise((resolve) => setTimeout(resolve, 15));
      if (fail) throw new RangeError('no');
    }, { model, version: '1', buckets: { latency: [0.005, 10] } });
    const span = await inSpan(() => predict(true));

    const open = await (await fetch(handle.metricsUrl!, { headers: { accept: OPENMETRICS } })).text();
    const name = METRIC_PREDICTION_LATENCY.prometheusName;
    const exemplar = ` # {trace_id="${span.traceId}",span_id="${span.spanId}"} `;
    const bucket = open.split('\n').find((l) => l.startsWith(`${name}_bucket{model_name="${model}",model_version="1",le="10"}`));
    expect(bucket).toMatch(new RegExp(`^\\S+ 1${escape(exemplar)}0\\.\\d+ \\d+(\\.\\d+)?$`));
    // The first bucket (under 5 ms) holds nothing, so no exemplar.
    expect(open.split('\n').find((l) => l.includes(`model_name="${model}"`) && l.includes('le="0.005"'))).not.toContain('#');
    const error = open.split('\n').find((l) => l.startsWith(`${METRIC_PREDICTION_ERRORS.prometheusName}{`) && l.includes(model));
    expect(error).toMatch(new RegExp(`} 1${escape(exemplar)}1 \\d+(\\.\\d+)?$`));

    const text = await (await fetch(handle.metricsUrl!, { headers: { accept: 'text/plain;version=0.0.4' } })).text();
    expect(text).toContain(`${name}_bucket{model_name="${model}",model_version="1",le="10"} 1`);
    expect(text).not.toContain(span.traceId);
  });

  it('leaves out an exemplar whose labels pass 128 characters and keeps the sample', () => {
    const exemplar = (note: string) => ({ filteredAttributes: { note }, value: 1, timestamp: [1_700_000_000, 0], traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) });
    const metrics = (note: string): ResourceMetrics => ({
      resource: emptyResource(),
      scopeMetrics: [{
        scope: { name: 't' },
        metrics: [{
          descriptor: { name: 'calls', description: '', unit: '', valueType: 1 },
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.SUM,
          isMonotonic: true,
          dataPoints: [{ startTime: [0, 0], endTime: [1, 0], attributes: {}, value: 2, exemplars: [exemplar(note)] } as never],
        }],
      }],
    });
    // 8 + 32 + 7 + 16 = 63 characters of ids; "note" and its value take the rest.
    const fits = 'x'.repeat(128 - 63 - 4);
    expect(serialize(metrics(fits), { format: 'openmetrics' })).toContain(`calls_total 2 # {trace_id="${'a'.repeat(32)}",span_id="${'b'.repeat(16)}",note="${fits}"} 1 1700000000\n`);
    expect(serialize(metrics(`${fits}x`), { format: 'openmetrics' })).toContain('calls_total 2\n');
    expect(serialize(metrics(fits), { format: 'text' })).toContain('calls_total 2\n');
  });

  it('a real Prometheus 2.42 with exemplar storage returns the trace id of the span the call ran in', async () => {
    const model = 'exemplar-e2e';
    const { handle, inSpan } = await setup(model);
    const predict = instrument(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }, { model, version: '1' });
    const span = await inSpan(() => predict());
    const target = new URL(handle.metricsUrl!).host;
    const prometheus: PrometheusServer = await startPrometheus([{ job: 'pull', target }], { flags: ['--enable-feature=exemplar-storage'] });
    closers.push(() => prometheus.stop());
    expect(await prometheus.waitFor('up{job="pull"}', (value) => value === 1, 15_000)).toBe(1);

    const query = `${METRIC_PREDICTION_LATENCY.prometheusName}_bucket{model_name="${model}"}`;
    let traceIds: string[] = [];
    for (let i = 0; i < 60 && traceIds.length === 0; i++) {
      const now = Date.now() / 1000;
      const url = `${prometheus.url}/api/v1/query_exemplars?query=${encodeURIComponent(query)}&start=${now - 300}&end=${now + 60}`;
      const body = (await (await fetch(url)).json()) as { status: string; data: { exemplars: { labels: Record<string, string> }[] }[] };
      expect(body.status).toBe('success');
      traceIds = body.data.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id!));
      if (traceIds.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(traceIds).toContain(span.traceId);
  });

  it('remote write carries them: a real Prometheus receiver with exemplar storage returns the trace id', async () => {
    const model = 'exemplar-rw';
    const prometheus: PrometheusServer = await startPrometheus([], { flags: ['--web.enable-remote-write-receiver', '--enable-feature=exemplar-storage'] });
    closers.push(() => prometheus.stop());
    const { inSpan } = await setup(model, { exporters: ['prometheusremotewrite'], remoteWrite: { url: `${prometheus.url}/api/v1/write` }, exportIntervalMillis: 300 });
    const predict = instrument(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new SyntaxError('bad input');
    }, { model, version: '1' });
    const span = await inSpan(() => predict());
    const found = async (query: string): Promise<string[]> => {
      for (let i = 0; i < 60; i++) {
        const now = Date.now() / 1000;
        const url = `${prometheus.url}/api/v1/query_exemplars?query=${encodeURIComponent(query)}&start=${now - 300}&end=${now + 60}`;
        const body = (await (await fetch(url)).json()) as { data: { exemplars: { labels: Record<string, string> }[] }[] };
        const ids = body.data.flatMap((s) => s.exemplars.map((e) => `${e.labels.trace_id}/${e.labels.span_id}`));
        if (ids.length > 0) return ids;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return [];
    };
    const id = `${span.traceId}/${span.spanId}`;
    expect(await found(`${METRIC_PREDICTION_LATENCY.prometheusName}_bucket{model_name="${model}"}`)).toContain(id);
    expect(await found(`${METRIC_PREDICTION_ERRORS.prometheusName}{model_name="${model}"}`)).toContain(id);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
