import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_ACTIVE_MODEL_VERSION, METRIC_MODEL_INFO, METRIC_PREDICTION_CONFIDENCE, METRIC_PREDICTION_TOKENS, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { formatDoctorReport, runDoctor } from '../../src/doctor/doctor.js';
import { eventually, freePort, serveMetrics, startPrometheusWithConfig as startPrometheus } from '@inferometer/testing';

// The doctor against real HTTP endpoints and a real Prometheus. The healthy
// exposition is the onnx-iris demo's own output (fixtures/demo.prom); the
// doctor against the live demo runs in test/e2e/alerting.test.ts.
const DEMO = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'demo.prom'), 'utf8');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((stop) => stop()));
});

async function endpoint(body: string, status = 200): Promise<string> {
  const server = await serveMetrics(() => body, status);
  cleanups.push(server.stop);
  return server.url;
}

/** The check on Prometheus' view of the target (rules and alerts follow it). */
const prom = (report: Awaited<ReturnType<typeof runDoctor>>) => report.checks.find((c) => c.check === 'prometheus')!;
const statusOf = (report: Awaited<ReturnType<typeof runDoctor>>): Record<string, string> =>
  Object.fromEntries(report.checks.map((c) => [c.check, c.status]));

describe('runDoctor', () => {
  it('finds the demo exposition healthy', async () => {
    const report = await runDoctor({ metricsUrl: await endpoint(DEMO) });
    expect(statusOf(report)).toEqual({ endpoint: 'ok', exposition: 'ok', catalog: 'ok', series: 'ok', histograms: 'ok' });
    expect(report.checks.find((c) => c.check === 'histograms')?.summary).toMatch(/^classic buckets only/);
    expect(report.healthy).toBe(true);
    const text = formatDoctorReport(report);
    expect(text).toContain('all 5 core metrics present');
    expect(text).toContain('also present: ml_prediction_errors_total, ml_prediction_confidence, ml_prediction_batch_size');
    expect(text.trimEnd().split('\n').at(-1)).toBe('verdict: healthy');
  });

  it("reports the endpoint's own refused scrapes and failed collections since start, as a warning", async () => {
    const self = [
      '# TYPE inferometer_scrape_requests_total counter',
      'inferometer_scrape_requests_total{format="openmetrics",code="200"} 40',
      'inferometer_scrape_requests_total{format="openmetrics",code="500"} 2',
      'inferometer_scrape_requests_total{format="none",code="503"} 1',
      '# TYPE inferometer_scrape_refusals_total counter',
      'inferometer_scrape_refusals_total{reason="concurrency"} 1',
      'inferometer_scrape_refusals_total{reason="timeout"} 0',
      '# TYPE inferometer_scrape_errors_total counter',
      'inferometer_scrape_errors_total{cause="callback"} 2',
      'inferometer_scrape_errors_total{cause="timeout"} 0',
      '',
    ].join('\n');
    const report = await runDoctor({ metricsUrl: await endpoint(DEMO + self) });
    const scrapes = report.checks.find((c) => c.check === 'scrapes')!;
    expect(scrapes).toMatchObject({ status: 'warn', summary: expect.stringContaining('43 earlier requests since start') });
    expect(scrapes.details).toEqual(['2 failed collections (cause="callback")', '1 refused scrapes (reason="concurrency")']);
    expect(report.healthy).toBe(true);
    const quiet = self.replace('{reason="concurrency"} 1', '{reason="concurrency"} 0').replace('{cause="callback"} 2', '{cause="callback"} 0');
    const healthy = await runDoctor({ metricsUrl: await endpoint(DEMO + quiet) });
    expect(healthy.checks.find((c) => c.check === 'scrapes')).toMatchObject({ status: 'ok', details: [] });
  });

  it('fails when the endpoint is down', async () => {
    const report = await runDoctor({ metricsUrl: `http://127.0.0.1:${await freePort()}/metrics`, timeoutMs: 2000 });
    expect(report.healthy).toBe(false);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ check: 'endpoint', status: 'fail', summary: expect.stringContaining('ECONNREFUSED') });
    expect(formatDoctorReport(report)).toContain('verdict: NOT HEALTHY: 1 check failed (endpoint)');
  });

  it('fails when the endpoint answers 500, and shows the body', async () => {
    const report = await runDoctor({ metricsUrl: await endpoint('collection failed: boom\n', 500) });
    expect(report.checks[0]).toMatchObject({ check: 'endpoint', status: 'fail', summary: expect.stringContaining('HTTP 500') });
    expect(report.checks[0]!.details).toEqual(['body: collection failed: boom']);
    expect(report.healthy).toBe(false);
  });

  it('fails on the upstream exporter answering 200 with a failure comment', async () => {
    const report = await runDoctor({ metricsUrl: await endpoint('# failed to export metrics: boom\n') });
    expect(report.checks[1]).toMatchObject({ check: 'exposition', status: 'fail', summary: 'the exporter reports a failed collection' });
  });

  it('fails on an exposition that does not parse, naming the line', async () => {
    const report = await runDoctor({ metricsUrl: await endpoint(`${DEMO}ml_predictions_total{model_name="iris" 3\n`) });
    expect(report.checks[1]!.status).toBe('fail');
    // The appended line comes right after the fixture's last newline.
    expect(report.checks[1]!.details[0]).toBe(`line ${DEMO.split('\n').length}: expected "," or "}" after label model_name`);
  });

  it('fails when no catalog metric is there (nothing predicted, or the wrong MeterProvider)', async () => {
    const report = await runDoctor({ metricsUrl: await endpoint('# TYPE target_info gauge\ntarget_info{service_name="x"} 1\n') });
    expect(report.checks.find((c) => c.check === 'catalog')).toMatchObject({ status: 'fail', summary: expect.stringContaining('no Inferometer metrics') });
    expect(report.healthy).toBe(false);
  });

  it('fails when some core metrics are missing, naming them', async () => {
    const without = DEMO.split('\n').filter((line) => !line.includes(METRIC_MODEL_INFO.prometheusName) && !line.includes(METRIC_ACTIVE_MODEL_VERSION.prometheusName)).join('\n');
    const report = await runDoctor({ metricsUrl: await endpoint(without) });
    const catalog = report.checks.find((c) => c.check === 'catalog')!;
    expect(catalog).toMatchObject({ status: 'fail', summary: '2 of 5 core metrics missing' });
    expect(catalog.details).toContain(`missing ${METRIC_MODEL_INFO.prometheusName} (expected after the first prediction)`);
  });

  it('warns about ml_ metrics that are not in the catalog (a renamed or double-suffixed metric)', async () => {
    const report = await runDoctor({ metricsUrl: await endpoint(`${DEMO}# TYPE ml_prediction_latency_seconds_seconds histogram\nml_prediction_latency_seconds_seconds_count 1\n`) });
    expect(report.checks.find((c) => c.check === 'catalog')).toMatchObject({ status: 'warn' });
    expect(report.healthy).toBe(true);
  });

  it('fails when a series cap was hit, and warns near the cap', async () => {
    const overflow = `${DEMO}ml_predictions_total{otel_metric_overflow="true"} 7\n`;
    const capped = await runDoctor({ metricsUrl: await endpoint(overflow) });
    expect(capped.checks.find((c) => c.check === 'series')).toMatchObject({ status: 'fail' });
    const other = await runDoctor({ metricsUrl: await endpoint(`${DEMO}ml_predictions_total{model_name="iris",model_version="_OTHER",status="success"} 7\n`) });
    expect(other.checks.find((c) => c.check === 'series')!.details[0]).toContain('model_version="_OTHER"');
    const near = await runDoctor({ metricsUrl: await endpoint(DEMO), maxSeriesPerMetric: 2 });
    expect(near.checks.find((c) => c.check === 'series')).toMatchObject({ status: 'warn', summary: 'largest: ml_predictions_total with 2 series (cap 2)' });
  });

  it('reports rules Prometheus never evaluated successfully, and alerts firing now', async () => {
    const target = await serveMetrics(() => DEMO);
    cleanups.push(target.stop);
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-doctor-rules-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    // Loads (the syntax is fine) but fails at every evaluation: many buckets
    // per job on both sides of a one-to-one match.
    writeFileSync(
      join(dir, 'rules.yml'),
      [
        'groups:',
        '  - name: doctor',
        '    rules:',
        '      - record: job:broken:ratio',
        '        expr: ml_prediction_latency_seconds_bucket * on (job) ml_prediction_latency_seconds_bucket',
        '      - alert: AlwaysFiring',
        '        expr: vector(1)',
        '        labels: {severity: warning}',
        '',
      ].join('\n'),
    );
    const prometheus = await startPrometheus(
      `global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: ['${join(dir, 'rules.yml')}']\nscrape_configs:\n  - job_name: iris\n    static_configs: [{targets: ['127.0.0.1:${target.port}']}]\n`,
    );
    cleanups.push(prometheus.stop);
    const report = await eventually('the broken rule evaluated and the alert firing', async () => {
      const r = await runDoctor({ metricsUrl: target.url, prometheusUrl: prometheus.url });
      return statusOf(r).rules === 'fail' && statusOf(r).alerts === 'warn' ? r : undefined;
    });
    const rules = report.checks.find((c) => c.check === 'rules')!;
    expect(rules.summary).toBe('1 of 2 rules fail to evaluate');
    expect(rules.details).toEqual([expect.stringMatching(/^recording rule job:broken:ratio \(group doctor\): .*many-to-many matching not allowed/)]);
    const alerts = report.checks.find((c) => c.check === 'alerts')!;
    expect(alerts.summary).toBe('1 alert firing');
    expect(alerts.details).toEqual([expect.stringMatching(/^AlwaysFiring \{severity="warning"\} value 1e\+00 since /)]);
    expect(report.healthy).toBe(false);
    expect(formatDoctorReport(report)).toContain('verdict: NOT HEALTHY: 1 check failed (rules)');
  });

  it('refuses bad options, naming them', async () => {
    await expect(runDoctor({ metricsUrl: 'localhost:9464' })).rejects.toThrow('metricsUrl="localhost:9464": expected an http:// or https:// URL');
    await expect(runDoctor({ metricsUrl: 'http://x/metrics', timeoutMs: -1 })).rejects.toThrow('timeoutMs=-1: expected a number greater than 0');
  });
});

// One Prometheus for the checks that need no rules, each on a target of its
// own, as a Prometheus scraping several services sees them: a Prometheus
// takes some 5 s to its first scrape (its scrape manager applies targets on
// a 5 s tick), so one per test would cost that every time.
describe('runDoctor against a real Prometheus scraping several targets', () => {
  const targets: Record<'up' | 'limited' | 'dropped' | 'unscraped' | 'grown' | 'partly', { url: string; port: number; stop(): Promise<void> }> = {} as never;
  let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
  // A family the 'grown' target starts serving after Prometheus stored the rest.
  let grown = false;
  const LATER = `# TYPE ${METRIC_PREDICTION_TOKENS.prometheusName} histogram\n${METRIC_PREDICTION_TOKENS.prometheusName}_bucket{model_name="iris",model_version="1.0.0",token_type="output",le="+Inf"} 1\n${METRIC_PREDICTION_TOKENS.prometheusName}_sum{model_name="iris",model_version="1.0.0",token_type="output"} 7\n${METRIC_PREDICTION_TOKENS.prometheusName}_count{model_name="iris",model_version="1.0.0",token_type="output"} 1\n`;

  beforeAll(async () => {
    for (const name of ['up', 'limited', 'dropped', 'unscraped', 'partly'] as const) targets[name] = await serveMetrics(() => DEMO);
    targets.grown = await serveMetrics(() => (grown ? DEMO + LATER : DEMO));
    const job = (name: string, port: number, extra = ''): string => `  - job_name: iris-${name}\n${extra}    static_configs: [{targets: ['127.0.0.1:${port}']}]\n`;
    prometheus = await startPrometheus(
      'global: {scrape_interval: 1s}\nscrape_configs:\n' +
        job('up', targets.up.port) +
        // sample_limit below the demo's 70 samples: every scrape fails, up == 0.
        job('limited', targets.limited.port, '    sample_limit: 10\n') +
        job('dropped', targets.dropped.port, "    metric_relabel_configs: [{source_labels: [__name__], regex: '(ml|inferometer)_.*', action: drop}]\n") +
        // Scraped every 5 s: the test below reads the endpoint seconds before
        // the next scrape, however loaded the machine (two scrapes, the
        // doctor's wait, are 10 s: under its 30 s bound).
        job('grown', targets.grown.port, '    scrape_interval: 5s\n') +
        // One family dropped, the rest kept.
        job('partly', targets.partly.port, "    metric_relabel_configs: [{source_labels: [__name__], regex: 'ml_prediction_confidence_.*', action: drop}]\n"),
    );
  });

  afterAll(async () => {
    await Promise.allSettled([prometheus?.stop(), ...Object.values(targets).map((t) => t.stop())]);
  });

  it('passes when Prometheus reports the target up and stores its series', async () => {
    const report = await eventually('a healthy report', async () => {
      const r = await runDoctor({ metricsUrl: targets.up.url, prometheusUrl: prometheus.url });
      return prom(r).status === 'ok' ? r : undefined;
    });
    expect(prom(report).summary).toBe('Prometheus reports the target up and stores its 8 Inferometer metrics');
    expect(report.healthy).toBe(true);
  });

  it('fails when Prometheus reports the target down although the endpoint answers (the silent failure)', async () => {
    const report = await eventually('a report with the target down', async () => {
      const r = await runDoctor({ metricsUrl: targets.limited.url, prometheusUrl: prometheus.url });
      // Until its first scrape Prometheus lists no target; wait for the verdict on the scrape.
      return prom(r).summary.includes('DOWN') ? r : undefined;
    });
    expect(statusOf(report)).toMatchObject({ endpoint: 'ok', catalog: 'ok', prometheus: 'fail' });
    expect(prom(report).summary).toBe('Prometheus reports the target DOWN (up == 0): sample limit exceeded');
    expect(report.healthy).toBe(false);
  });

  it('fails when Prometheus scrapes the target but drops its Inferometer series', async () => {
    const report = await eventually('a report after the first scrape', async () => {
      const r = await runDoctor({ metricsUrl: targets.dropped.url, prometheusUrl: prometheus.url });
      return prom(r).summary.includes('stores none') ? r : undefined;
    });
    expect(prom(report).status).toBe('fail');
    expect(prom(report).details.at(-1)).toContain(METRIC_PREDICTIONS.prometheusName);
  });

  it('waits for the next scrapes when a family was born after the last one, and then finds it stored', async () => {
    await eventually('the first eight families stored', async () => (prom(await runDoctor({ metricsUrl: targets.grown.url, prometheusUrl: prometheus.url })).status === 'ok' ? true : undefined));
    // Right after a scrape (Prometheus' own record of it), the family
    // appears: the doctor reads it some 5 s before Prometheus' next scrape can.
    const lastScrape = async (): Promise<string> => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: { scrapeUrl: string; lastScrape: string }[] } };
      return body.data.activeTargets.find((t) => t.scrapeUrl === targets.grown.url)!.lastScrape;
    };
    const before = await lastScrape();
    await eventually('a new scrape of the target', async () => ((await lastScrape()) !== before ? true : undefined));
    grown = true;
    const report = await runDoctor({ metricsUrl: targets.grown.url, prometheusUrl: prometheus.url });
    expect(prom(report)).toMatchObject({ status: 'ok', summary: 'Prometheus reports the target up and stores its 9 Inferometer metrics' });
    // It waited, rather than finding the family already stored.
    expect(prom(report).details.at(-1)).toBe(`waited for Prometheus' next scrapes: ${METRIC_PREDICTION_TOKENS.prometheusName} appeared after its last one`);
  });

  it('warns, without "(yet?)", when a scrape made after the doctor read the endpoint still lacks a family', async () => {
    const report = await eventually('a report after the first scrape', async () => {
      const r = await runDoctor({ metricsUrl: targets.partly.url, prometheusUrl: prometheus.url });
      return prom(r).summary.includes('dropped by metric_relabel_configs') ? r : undefined;
    });
    expect(prom(report).status).toBe('warn');
    expect(prom(report).summary).toBe('Prometheus scrapes the target but does not store some of its Inferometer series (dropped by metric_relabel_configs or a limit?)');
    expect(prom(report).details.at(-1)).toBe(`not stored by a scrape made after the doctor read them: ${METRIC_PREDICTION_CONFIDENCE.prometheusName}`);
  });

  it('fails when Prometheus does not scrape the endpoint at all', async () => {
    // Asked once the other targets are being scraped, so that the answer is
    // not just a Prometheus that has no targets yet.
    await eventually('the scraped targets', async () => ((await runDoctor({ metricsUrl: targets.up.url, prometheusUrl: prometheus.url })).checks.some((c) => c.check === 'prometheus' && c.status === 'ok') ? true : undefined));
    const report = await runDoctor({ metricsUrl: targets.unscraped.url, prometheusUrl: prometheus.url });
    expect(prom(report)).toMatchObject({ status: 'fail', summary: expect.stringContaining('has no target scraping') });
  });

  it('says so when Prometheus has no rules, and that nothing fires', async () => {
    const report = await runDoctor({ metricsUrl: targets.up.url, prometheusUrl: prometheus.url });
    expect(statusOf(report)).toMatchObject({ rules: 'warn', alerts: 'ok' });
    expect(report.checks.find((c) => c.check === 'alerts')!.summary).toBe('no alert firing');
  });
});
