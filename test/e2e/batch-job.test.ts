import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributesOf, type OtlpMetric } from '../support/otlp-proto.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { startVictoriaMetrics, type VictoriaMetricsServer } from '../support/victoria-metrics.js';

// A process that pushes and ends on its own (its event loop empties): the
// periodic export's timer does not hold it, so without a last export on
// 'beforeExit' the calls since the last export (here: all of them, the
// interval being a minute) would never leave.
const FIXTURE = fileURLToPath(new URL('../fixtures/batch-job.mjs', import.meta.url));
const CALLS = 137;

/** Runs the batch job to its end; its exit code. */
async function runJob(env: Record<string, string>): Promise<number> {
  return (await runJobFor(env)).code;
}

/** Runs the batch job to its end; its exit code and what it wrote on stdout. */
async function runJobFor(env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [FIXTURE], {
      env: { ...process.env, CALLS: String(CALLS), OTEL_METRIC_EXPORT_INTERVAL: '60000', ...env },
    });
    return { code: 0, stdout };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return { code, stdout: String((err as { stdout?: unknown }).stdout ?? '') };
    throw err;
  }
}

let receiver: OtlpReceiver;
let victoria: VictoriaMetricsServer;
beforeAll(async () => {
  [receiver, victoria] = await Promise.all([startOtlpReceiver({ vendor: 'collector' }), startVictoriaMetrics()]);
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([receiver?.close(), victoria?.stop()]);
});

function metricsNamed(name: string, service: string): OtlpMetric[] {
  return receiver.accepted().flatMap((r) =>
    (r.request.resourceMetrics ?? [])
      .filter((rm) => attributesOf(rm.resource?.attributes)['service.name'] === service)
      .flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).filter((m) => m.name === name))),
  );
}

describe('a batch job that pushes and simply returns', () => {
  it('OTLP: the receiver holds exactly the calls made, from one export at the end, and the exit code is the job\'s', async () => {
    const service = 'batch-otlp';
    const before = receiver.accepted().length;
    expect(await runJob({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: service, EXIT_CODE: '3' })).toBe(3);
    // One export: 'beforeExit' comes again after it, and must not export again (nor forever).
    expect(receiver.accepted().length - before).toBe(1);
    const successes = metricsNamed(METRIC_PREDICTIONS.name, service)
      .flatMap((m) => m.sum?.dataPoints ?? [])
      .filter((p) => attributesOf(p.attributes).status === 'success')
      .map((p) => Number(p.asDouble ?? p.asInt ?? 0));
    expect(successes).toEqual([CALLS]);
    const latencies = metricsNamed(METRIC_PREDICTION_LATENCY.name, service).flatMap((m) => m.histogram?.dataPoints ?? []).map((p) => Number(p.count ?? 0));
    expect(latencies).toEqual([CALLS]);
  }, 60_000);

  it('OTLP delta (Datadog-shaped temporality): the one delta is every call', async () => {
    const service = 'batch-otlp-delta';
    expect(await runJob({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' })).toBe(0);
    const successes = metricsNamed(METRIC_PREDICTIONS.name, service)
      .flatMap((m) => m.sum?.dataPoints ?? [])
      .filter((p) => attributesOf(p.attributes).status === 'success')
      .map((p) => Number(p.asDouble ?? p.asInt ?? 0));
    expect(successes).toEqual([CALLS]);
  }, 60_000);

  it('awsemf: the EMF documents on stdout hold exactly the calls made, from one export at the end', async () => {
    const { code, stdout } = await runJobFor({ OTEL_METRICS_EXPORTER: 'awsemf', OTEL_SERVICE_NAME: 'batch-emf' });
    expect(code).toBe(0);
    const documents = stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const successes = documents
      .filter((document) => typeof document[METRIC_PREDICTIONS.name] === 'number' && document.status === 'success')
      .map((document) => document[METRIC_PREDICTIONS.name]);
    expect(successes).toEqual([CALLS]);
  }, 60_000);

  it('remote write: VictoriaMetrics holds exactly the calls made', async () => {
    expect(await runJob({ OTEL_METRICS_EXPORTER: 'prometheusremotewrite', INFEROMETER_REMOTE_WRITE_URL: victoria.writeUrl, OTEL_SERVICE_NAME: 'batch-rw' })).toBe(0);
    const series = `${METRIC_PREDICTIONS.prometheusName}{job="batch-rw",model_name="batch",status="success"}`;
    // The job is over: what VictoriaMetrics holds now is all it will ever get.
    expect(await victoria.waitFor(`sum(${series})`, (v) => v === CALLS, 20_000)).toBe(CALLS);
    expect(await victoria.waitFor(`sum(${METRIC_PREDICTION_LATENCY.prometheusName}_count{job="batch-rw",model_name="batch"})`, (v) => v === CALLS, 20_000)).toBe(CALLS);
  }, 60_000);
});
