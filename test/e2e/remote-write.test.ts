import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR_REASON, METRIC_PREDICTION_BATCH_SIZE, METRIC_PREDICTION_CONFIDENCE, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { REMOTE_WRITE_DROP_REASONS, RemoteWriteExporter } from '@inferometer/exporter-remote-write';
import { parseStrict } from '@inferometer/testing';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { startDemo, type Demo } from '../support/demo.js';
import { eventually } from '../support/ports.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { startVictoriaMetrics, type VictoriaMetricsServer } from '../support/victoria-metrics.js';
import { METRIC_REMOTE_WRITE_DROPPED, METRIC_REMOTE_WRITE_PENDING, METRIC_REMOTE_WRITE_RETRIED } from '@inferometer/exporter-remote-write';

// The demo pushes over remote write (switched by environment only)
// to a real Prometheus and a real VictoriaMetrics; both must hold exactly what
// the demo's own pull endpoint shows, under the same names.
const INTERVAL_MS = 500;
// Room for the whole outage: the demo exports about 300 samples every
// INTERVAL_MS (its model-quality series included), so 10 s of outage is some
// 6,000 queued samples, and a loaded machine stretches it. At 5,000 the bound
// was reached and samples were rightly dropped as queue_full.
const QUEUE_BOUND = 20_000;
const VALID = 40;
const INVALID = 7;

let prometheus: PrometheusServer;
let victoria: VictoriaMetricsServer;
let demoProm: Demo;
let demoVm: Demo;

const pushEnv = (url: string, instance: string): Record<string, string> => ({
  // The pull endpoint stays on, to compare names and values with it.
  OTEL_METRICS_EXPORTER: 'prometheus,prometheusremotewrite',
  INFEROMETER_REMOTE_WRITE_URL: url,
  OTEL_METRIC_EXPORT_INTERVAL: String(INTERVAL_MS),
  OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${instance}`,
  INFEROMETER_REMOTE_WRITE_MAX_QUEUE_SAMPLES: String(QUEUE_BOUND),
  INFEROMETER_REMOTE_WRITE_MIN_BACKOFF: '50',
  INFEROMETER_REMOTE_WRITE_MAX_BACKOFF: '1000',
});

beforeAll(async () => {
  [prometheus, victoria] = await Promise.all([startPrometheus([], { flags: ['--web.enable-remote-write-receiver'] }), startVictoriaMetrics()]);
  [demoProm, demoVm] = await Promise.all([
    startDemo(pushEnv(`${prometheus.url}/api/v1/write`, 'demo-prom')),
    startDemo(pushEnv(victoria.writeUrl, 'demo-vm')),
  ]);
});
afterAll(async () => {
  await Promise.allSettled([demoProm?.stop(), demoVm?.stop()]);
  await Promise.allSettled([prometheus?.stop(), victoria?.stop()]);
});

async function drive(demo: Demo): Promise<void> {
  for (let i = 0; i < VALID; i++) {
    const { status } = await demo.predict(i % 4 === 0 ? { instances: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] } : { features: [5.9, 3.0, 4.2, 1.5] });
    expect(status).toBe(200);
  }
  for (let i = 0; i < INVALID; i++) expect((await demo.predict({ features: [1, 2] })).status).toBe(400);
}

type Sample = { metric: Record<string, string>; value: [number, string] };
type Query = (expr: string) => Promise<Sample[]>;

function seriesKey(name: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels).filter((k) => k !== '__name__').sort();
  return `${name}{${sorted.map((k) => `${k}="${labels[k]}"`).join(',')}}`;
}

/** The catalog's series (ml_*) from the pull endpoint, with the job and instance remote write adds. */
async function pullCatalog(demo: Demo, instance: string): Promise<Map<string, number>> {
  const { samples } = parseStrict(await (await fetch(demo.metricsUrl)).text());
  const out = new Map<string, number>();
  for (const sample of samples) {
    if (sample.name.startsWith('ml_')) out.set(seriesKey(sample.name, { ...sample.labels, job: 'iris-demo', instance }), sample.value);
  }
  return out;
}

async function storedCatalog(query: Query, instance: string): Promise<Map<string, number>> {
  const result = await query(`{__name__=~"ml_.*",instance="${instance}"}`);
  return new Map(result.map((sample) => [seriesKey(sample.metric.__name__!, sample.metric), Number(sample.value[1])]));
}

/**
 * Same series and values. Counts are whole numbers and must be equal;
 * VictoriaMetrics stores floats as decimals of limited precision, so a sum
 * such as 0.0023442650000000073 may come back in its last digits changed.
 */
function sameSeries(pulled: Map<string, number>, stored: Map<string, number>): boolean {
  if (pulled.size !== stored.size) return false;
  for (const [key, value] of pulled) {
    const other = stored.get(key);
    if (other === undefined) return false;
    if (Number.isInteger(value) ? other !== value : Math.abs(other - value) > Math.abs(value) * 1e-9) return false;
  }
  return true;
}

async function storedNames(baseUrl: string, instance: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/api/v1/label/__name__/values?match[]=${encodeURIComponent(`{instance="${instance}"}`)}`);
  return ((await response.json()) as { data: string[] }).data.sort();
}

async function pullNames(demo: Demo): Promise<string[]> {
  return [...new Set(parseStrict(await (await fetch(demo.metricsUrl)).text()).samples.map((sample) => sample.name))].sort();
}

describe.each([
  ['Prometheus 2.42 (--web.enable-remote-write-receiver)', () => ({ demo: demoProm, query: prometheus.query, url: prometheus.url, instance: 'demo-prom' })],
  ['VictoriaMetrics 1.79', () => ({ demo: demoVm, query: victoria.query, url: victoria.url, instance: 'demo-vm' })],
])('the demo pushing remote write to %s', (_name, target) => {
  it('holds the exact counts the demo produced', async () => {
    const { demo, query, instance } = target();
    await drive(demo);
    const sum = async (expr: string) => Number((await query(expr))[0]?.value[1]);
    await eventually('every prediction to arrive', async () => ((await sum(`sum(${METRIC_PREDICTIONS.prometheusName}{instance="${instance}"})`)) === VALID + INVALID ? true : undefined));
    expect(await sum(`sum(${METRIC_PREDICTIONS.prometheusName}{instance="${instance}",status="success"})`)).toBe(VALID);
    expect(await sum(`sum(${METRIC_PREDICTIONS.prometheusName}{instance="${instance}",status="error"})`)).toBe(INVALID);
    // 10 calls of 2 rows and 30 of 1 succeed, 7 refused calls of 1 row: batch sizes are read before the call.
    const batch = METRIC_PREDICTION_BATCH_SIZE.prometheusName;
    await eventually('the histograms to arrive', async () => ((await sum(`sum(${batch}_count{instance="${instance}"})`)) === VALID + INVALID ? true : undefined));
    expect(await sum(`sum(${batch}_bucket{instance="${instance}",le="1"})`)).toBe(37);
    expect(await sum(`sum(${batch}_bucket{instance="${instance}",le="2"})`)).toBe(47);
    expect(await sum(`sum(${batch}_bucket{instance="${instance}",le="+Inf"})`)).toBe(47);
    expect(await sum(`sum(${batch}_sum{instance="${instance}"})`)).toBe(57);
    expect(await sum(`sum(${METRIC_PREDICTION_CONFIDENCE.prometheusName}_count{instance="${instance}"})`)).toBe(50);
    // The exact label set, with job and instance from the resource.
    const success = await query(`${METRIC_PREDICTIONS.prometheusName}{instance="${instance}",status="success"}`);
    expect(success).toHaveLength(1);
    expect(success[0]!.metric).toEqual({
      __name__: 'ml_predictions_total',
      job: 'iris-demo',
      instance,
      model_name: 'iris',
      model_version: '1.0.0',
      status: 'success',
    });
  });

  it('holds every catalog series of the pull endpoint, same names, labels and values, buckets included', async () => {
    const { demo, query, instance } = target();
    const compared = await eventually('the receiver to match the pull endpoint', async () => {
      const [pulled, stored] = await Promise.all([pullCatalog(demo, instance), storedCatalog(query, instance)]);
      return pulled.size > 50 && sameSeries(pulled, stored) ? pulled : undefined;
    }, 15_000);
    expect([...compared.keys()].filter((key) => key.startsWith('ml_prediction_latency_seconds_bucket{')).length).toBe(12);
  });

  it('has the same metric names as the pull endpoint, self-metrics and target_info included', async () => {
    const { demo, url, instance } = target();
    const names = await eventually('the names to match', async () => {
      const [pulled, stored] = await Promise.all([pullNames(demo), storedNames(url, instance)]);
      return JSON.stringify(pulled) === JSON.stringify(stored) ? stored : undefined;
    }, 15_000);
    expect(names).toEqual(expect.arrayContaining(['target_info', 'ml_predictions_total', 'ml_prediction_latency_seconds_bucket', 'inferometer_remote_write_samples_total']));
  });
});

describe('a VictoriaMetrics outage of 10 seconds', () => {
  it('loses nothing: no gap in the counters after recovery, the queue stays within its bound, retries are counted', async () => {
    const instance = 'demo-vm';
    const selector = `${METRIC_PREDICTIONS.prometheusName}{instance="${instance}",status="success"}`;
    const before = Number((await victoria.query(selector))[0]!.value[1]);
    let sent = 0;
    let running = true;
    const traffic = (async () => {
      while (running) {
        if ((await demoVm.predict({ features: [5.9, 3.0, 4.2, 1.5] })).status === 200) sent++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const downAt = Date.now();
    await victoria.pause();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await victoria.resume();
    const upAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    running = false;
    await traffic;
    expect(sent).toBeGreaterThan(50);

    await victoria.waitFor(selector, (value) => value === before + sent, 20_000);

    // Every export made during the outage arrived later with its own
    // timestamp: consecutive samples are one interval apart, no hole.
    const [series] = await victoria.exportRaw(selector);
    const during = series!.timestamps.filter((t) => t >= downAt - 2 * INTERVAL_MS && t <= upAt + 2 * INTERVAL_MS).sort((a, b) => a - b);
    // (Bounds leave room for a busy CI machine delaying the demo's timer,
    // which once left 2.5 s between two exports: a lost outage would be one
    // hole of the whole 10 s, so no gap may reach half of it.)
    expect(during.length).toBeGreaterThanOrEqual((upAt - downAt) / INTERVAL_MS / 2);
    for (let i = 1; i < during.length; i++) expect(during[i]! - during[i - 1]!).toBeLessThan((upAt - downAt) / 2);
    const values = series!.values.slice().sort((a, b) => a - b);
    expect(series!.values).toEqual(values); // cumulative, never going back

    const max = (expr: string) => victoria.query(expr).then((r) => Number(r[0]?.value[1] ?? Number.NaN));
    const pendingPeak = await max(`max_over_time(${METRIC_REMOTE_WRITE_PENDING.prometheusName}{instance="${instance}"}[5m])`);
    expect(pendingPeak).toBeGreaterThan(0);
    expect(pendingPeak).toBeLessThanOrEqual(QUEUE_BOUND);
    await victoria.waitFor(`${METRIC_REMOTE_WRITE_RETRIED.prometheusName}{instance="${instance}"}`, (value) => value > 0);
    expect(await victoria.query(`${METRIC_REMOTE_WRITE_DROPPED.prometheusName}{instance="${instance}"}`)).toEqual([]);
  }, 60_000);
});

describe('answers from the receiver side', () => {
  /** A proxy in front of VictoriaMetrics that answers `status` for the first `count` requests. */
  async function proxy(status: number, count: number): Promise<{ url: string; bodies: Buffer[]; close(): Promise<void> }> {
    const bodies: Buffer[] = [];
    let left = count;
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        bodies.push(body);
        if (left > 0) {
          left--;
          response.writeHead(status, { 'Content-Type': 'text/plain' });
          response.end(status === 400 ? 'bad request' : 'unavailable');
          return;
        }
        void fetch(victoria.writeUrl, { method: 'POST', headers: request.headers as Record<string, string>, body }).then(async (upstream) => {
          response.writeHead(upstream.status);
          response.end(await upstream.text());
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`,
      bodies,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  class Reader extends MetricReader {
    protected override async onShutdown(): Promise<void> {}
    protected override async onForceFlush(): Promise<void> {}
  }

  async function pushOnce(url: string, job: string) {
    const selfReader = new Reader();
    const self = new MeterProvider({ readers: [selfReader] });
    const exporter = new RemoteWriteExporter({ url, minBackoffMillis: 20, maxBackoffMillis: 100, meterProvider: self });
    const reader = new Reader();
    const app = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': job, 'service.instance.id': 'i1' }), readers: [reader] });
    app.getMeter('e2e').createCounter(METRIC_PREDICTIONS.name).add(5, { model_name: 'answers' });
    exporter.export((await reader.collect()).resourceMetrics, () => undefined);
    await exporter.forceFlush();
    const dropped = async (reason: string) => {
      const { resourceMetrics } = await selfReader.collect();
      const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === METRIC_REMOTE_WRITE_DROPPED.name);
      return metric?.dataPoints.find((p) => p.attributes[ATTR_REASON] === reason)?.value;
    };
    return { exporter, dropped };
  }

  it('a 503 is retried with the same body, and the samples land', async () => {
    const front = await proxy(503, 1);
    const { exporter } = await pushOnce(front.url, 'answers-503');
    expect(front.bodies).toHaveLength(2);
    expect(front.bodies[1]!.equals(front.bodies[0]!)).toBe(true);
    expect(await victoria.waitFor(`${METRIC_PREDICTIONS.prometheusName}{job="answers-503"}`, (value) => value === 5)).toBe(5);
    await exporter.shutdown();
    await front.close();
  });

  it('a 400 is not retried: dropped and counted', async () => {
    const front = await proxy(400, 1_000);
    const { exporter, dropped } = await pushOnce(front.url, 'answers-400');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(front.bodies).toHaveLength(1);
    expect(await dropped(REMOTE_WRITE_DROP_REASONS.rejected)).toBeGreaterThan(0);
    expect(await victoria.query(`${METRIC_PREDICTIONS.prometheusName}{job="answers-400"}`)).toEqual([]);
    await exporter.shutdown();
    await front.close();
  });
});
