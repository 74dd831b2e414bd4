/**
 * `protocol: '2.0'` end to end against the remote write 2.0 stand-in
 * (test/helpers/receiver-v2.ts, decoding with the official
 * io.prometheus.write.v2 proto): the headers, the exact data, the receiver's
 * `*-Written` counts in stats(), the fallback to 1.0 on 415 and on a 2xx
 * without those headers, and the self-metrics by protocol.
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTR_REASON } from '@inferometer/core/catalog';
import { labelsOf } from '@inferometer/testing';
import { RemoteWriteExporter } from '../src/exporter.js';
import { RemoteWriteOptionsError, type RemoteWriteExporterOptions } from '../src/options.js';
import { ATTR_PROTOCOL, METRIC_REMOTE_WRITE_DROPPED, METRIC_REMOTE_WRITE_PENDING, METRIC_REMOTE_WRITE_RETRIED, METRIC_REMOTE_WRITE_SENT } from '../src/catalog.js';
import { testProvider } from './helpers/collect.js';
import { startReceiverV2, V2_CONTENT_TYPE, type ReceiverV2, type ReceiverV2Mode } from './helpers/receiver-v2.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map(async (cleanup) => cleanup()));
});

async function receiver(mode: ReceiverV2Mode): Promise<ReceiverV2> {
  const server = await startReceiverV2(mode);
  cleanups.push(() => server.close());
  return server;
}

function captureWarnings(): string[] {
  const warnings: string[] = [];
  diag.setLogger({ warn: (message: string) => warnings.push(message), error: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  cleanups.push(() => diag.disable());
  return warnings;
}

async function setup(options: Partial<RemoteWriteExporterOptions> & { url: string }) {
  const self = testProvider();
  const exporter = new RemoteWriteExporter({ protocol: '2.0', minBackoffMillis: 10, maxBackoffMillis: 50, meterProvider: self.provider, ...options });
  cleanups.push(() => exporter.shutdown());
  const app = testProvider();
  const counter = app.provider.getMeter('app').createCounter('ml_predictions', { description: 'Predictions', unit: '{prediction}' });
  const data = async (series = 1): Promise<ResourceMetrics> => {
    for (let i = 0; i < series; i++) counter.add(i + 1, { i: String(i) });
    return app.collect();
  };
  const exportNow = (metrics: ResourceMetrics): void => {
    let code: ExportResultCode | undefined;
    exporter.export(metrics, (r) => (code = r.code));
    expect(code).toBe(ExportResultCode.SUCCESS);
  };
  const selfMetric = async (name: string, attributes: Record<string, string> = {}): Promise<number | undefined> => {
    const collected = await self.collect();
    for (const scope of collected.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name !== name) continue;
        for (const point of metric.dataPoints) {
          if (Object.entries(attributes).every(([k, v]) => point.attributes[k] === v)) return point.value as number;
        }
      }
    }
    return undefined;
  };
  return { exporter, data, exportNow, selfMetric };
}

/** `name{labels}` -> value of the counter series, from whichever protocol carried them. */
function counterValues(server: ReceiverV2, wanted: 'v1' | 'v2'): Map<string, number> {
  const out = new Map<string, number>();
  for (const request of server.received) {
    if (wanted === 'v2') {
      for (const series of request.v2?.series ?? []) if (series.labels.__name__ === 'ml_predictions_total') out.set(series.labels.i!, series.samples[0]!.value);
    } else {
      for (const series of request.v1?.timeseries ?? []) if (labelsOf(series).__name__ === 'ml_predictions_total') out.set(labelsOf(series).i!, series.samples[0]!.value);
    }
  }
  return out;
}

describe("RemoteWriteExporter with protocol: '2.0'", () => {
  it('POSTs io.prometheus.write.v2.Request with the 2.0 headers; stats() holds the receiver\'s *-Written counts', async () => {
    const server = await receiver('v2');
    const warnings = captureWarnings();
    const { exporter, data, exportNow, selfMetric } = await setup({ url: server.url, bearerToken: 't0k', headers: { 'X-Scope-OrgID': 'team-ml' } });
    const metrics = await data(3);
    exportNow(metrics);
    await exporter.forceFlush();
    expect(server.violations).toEqual([]);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.headers).toMatchObject({
      'content-type': V2_CONTENT_TYPE,
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '2.0.0',
      'user-agent': '@inferometer/exporter-remote-write/0.1.0',
      authorization: 'Bearer t0k',
      'x-scope-orgid': 'team-ml',
    });
    const request = server.received[0]!.v2!;
    expect(request.symbols[0]).toBe('');
    const points = metrics.scopeMetrics[0]!.metrics[0]!.dataPoints;
    const millis = (time: readonly [number, number]) => Math.round(time[0] * 1000 + time[1] / 1e6);
    const counters = request.series.filter((s) => s.labels.__name__ === 'ml_predictions_total');
    expect(counters.map((s) => [s.labels.i, s.samples, s.metadata])).toEqual(
      points.map((p) => [
        p.attributes.i,
        [{ value: p.value, timestamp: millis(p.endTime), startTimestamp: millis(p.startTime) }],
        { type: 'METRIC_TYPE_COUNTER', help: 'Predictions', unit: '{prediction}' },
      ]),
    );
    const floats = request.series.length;
    expect(exporter.stats()).toMatchObject({ protocol: '2.0', configuredProtocol: '2.0', fallbacks: 0, samplesWritten: floats, histogramsWritten: 0, exemplarsWritten: 0, pendingSamples: 0 });
    expect(await selfMetric(METRIC_REMOTE_WRITE_SENT.name, { [ATTR_PROTOCOL]: '2.0' })).toBe(floats);
    expect(await selfMetric(METRIC_REMOTE_WRITE_SENT.name, { [ATTR_PROTOCOL]: '1.0' })).toBeUndefined();
    expect(await selfMetric(METRIC_REMOTE_WRITE_PENDING.name, { [ATTR_PROTOCOL]: '2.0' })).toBe(0);
    expect(await selfMetric(METRIC_REMOTE_WRITE_PENDING.name, { [ATTR_PROTOCOL]: '1.0' })).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('retries a 503 as 2.0 and counts the retry under protocol="2.0"', async () => {
    const server = await receiver('v2');
    let failures = 1;
    const answer = server.capture.respond;
    server.capture.respond = (request, response) => {
      if (failures-- > 0) {
        server.received.push(request);
        response.writeHead(503);
        response.end();
      } else answer(request, response);
    };
    const { exporter, data, exportNow, selfMetric } = await setup({ url: server.url });
    exportNow(await data(2));
    await exporter.forceFlush();
    expect(server.received).toHaveLength(2);
    expect(server.received[1]!.body.equals(server.received[0]!.body)).toBe(true);
    const samples = server.received[1]!.v2!.series.length;
    expect(await selfMetric(METRIC_REMOTE_WRITE_RETRIED.name, { [ATTR_PROTOCOL]: '2.0' })).toBe(samples);
    expect(await selfMetric(METRIC_REMOTE_WRITE_SENT.name, { [ATTR_PROTOCOL]: '2.0' })).toBe(samples);
    expect(exporter.stats()).toMatchObject({ protocol: '2.0', fallbacks: 0, samplesWritten: samples });
  });

  it.each([
    ['a 2xx without X-Prometheus-Remote-Write-*-Written headers (a 1.0 receiver ignoring Content-Type)', 'v1-ignores-content-type'],
    ['415 Unsupported Media Type', 'unsupported'],
  ] as const)('falls back to 1.0 on %s: the same batches re-sent as 1.0, nothing lost, said once, counted', async (_name, mode) => {
    const server = await receiver(mode);
    const warnings = captureWarnings();
    // Three requests queued as 2.0 before the first answer comes back.
    const { exporter, data, exportNow, selfMetric } = await setup({ url: server.url, maxSamplesPerRequest: 4 });
    const first = await data(10);
    exportNow(first);
    await exporter.forceFlush();
    expect(server.violations).toEqual([]);
    // One 2.0 request, then only 1.0: the refused one re-encoded, the queued ones re-encoded before sending.
    expect(server.received.map((r) => (r.v2 !== undefined ? '2.0' : '1.0'))).toEqual(['2.0', '1.0', '1.0', '1.0']);
    expect(server.received[1]!.headers).toMatchObject({ 'content-type': 'application/x-protobuf', 'x-prometheus-remote-write-version': '0.1.0' });
    const expected = new Map(first.scopeMetrics[0]!.metrics[0]!.dataPoints.map((p) => [String(p.attributes.i), p.value as number]));
    expect(counterValues(server, 'v1')).toEqual(expected);
    // Every sample of the first export (ten counter series and target_info), once, as the 1.0 receiver holds them.
    const sent = server.received.slice(1).reduce((n, r) => n + r.v1!.timeseries.length, 0);
    expect(sent).toBe(expected.size + 1);

    // Later exports go out as 1.0 at once.
    exportNow(await data(1));
    await exporter.forceFlush();
    expect(server.received.slice(4).map((r) => (r.v2 !== undefined ? '2.0' : '1.0'))).toEqual(server.received.slice(4).map(() => '1.0'));
    expect(exporter.stats()).toMatchObject({ protocol: '1.0', configuredProtocol: '2.0', fallbacks: 1, samplesWritten: 0 });
    const total = server.received.slice(1).reduce((n, r) => n + r.v1!.timeseries.length, 0);
    expect(await selfMetric(METRIC_REMOTE_WRITE_SENT.name, { [ATTR_PROTOCOL]: '1.0' })).toBe(total);
    expect(await selfMetric(METRIC_REMOTE_WRITE_SENT.name, { [ATTR_PROTOCOL]: '2.0' })).toBeUndefined();
    expect(await selfMetric(METRIC_REMOTE_WRITE_DROPPED.name)).toBeUndefined();
    expect(await selfMetric(METRIC_REMOTE_WRITE_PENDING.name, { [ATTR_PROTOCOL]: '1.0' })).toBe(0);
    expect(await selfMetric(METRIC_REMOTE_WRITE_PENDING.name, { [ATTR_PROTOCOL]: '2.0' })).toBe(0);
    const fallbackWarnings = warnings.filter((w) => w.includes('falling back to 1.0'));
    expect(fallbackWarnings).toHaveLength(1);
    expect(fallbackWarnings[0]).toContain(mode === 'unsupported' ? 'HTTP 415' : 'without X-Prometheus-Remote-Write-*-Written headers');
  });

  it('takes a 2xx with only some *-Written headers as a 2.0 answer (missing ones count 0), and a 2xx whose only header is not a number as none', async () => {
    const server = await receiver('v2');
    let answer: Record<string, string> = { 'X-Prometheus-Remote-Write-Samples-Written': '7' };
    server.capture.respond = (_request, response) => {
      response.writeHead(204, answer);
      response.end();
    };
    const { exporter, data, exportNow } = await setup({ url: server.url });
    exportNow(await data(2));
    await exporter.forceFlush();
    expect(exporter.stats()).toMatchObject({ protocol: '2.0', fallbacks: 0, samplesWritten: 7, histogramsWritten: 0, exemplarsWritten: 0 });
    answer = { 'X-Prometheus-Remote-Write-Samples-Written': 'lots' };
    exportNow(await data(2));
    await exporter.forceFlush();
    expect(exporter.stats()).toMatchObject({ protocol: '1.0', fallbacks: 1, samplesWritten: 7 });
    // The refused request went again as 1.0.
    expect(server.capture.requests.map((r) => r.headers['x-prometheus-remote-write-version'])).toEqual(['2.0.0', '2.0.0', '0.1.0']);
  });

  it('a 1.0 exporter answered 415 drops the request as rejected (no fallback below 1.0)', async () => {
    const server = await receiver('unsupported');
    server.capture.respond = (_request, response) => {
      response.writeHead(415);
      response.end();
    };
    const { exporter, data, exportNow, selfMetric } = await setup({ url: server.url, protocol: '1.0' });
    exportNow(await data(1));
    await exporter.forceFlush();
    expect(server.capture.requests).toHaveLength(1);
    expect(exporter.stats()).toMatchObject({ protocol: '1.0', configuredProtocol: '1.0', fallbacks: 0 });
    expect(await selfMetric(METRIC_REMOTE_WRITE_DROPPED.name, { [ATTR_REASON]: 'rejected', [ATTR_PROTOCOL]: '1.0' })).toBeGreaterThan(0);
  });

  it('refuses an unknown protocol at construction, naming the option and the accepted values', () => {
    for (const protocol of ['2', 'v2', '1.1', 2, '']) {
      let error: unknown;
      try {
        new RemoteWriteExporter({ url: 'http://localhost:9090/api/v1/write', protocol: protocol as '2.0' });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(RemoteWriteOptionsError);
      expect(error).toMatchObject({ option: 'protocol', accepted: "'1.0' or '2.0'" });
    }
  });
});
