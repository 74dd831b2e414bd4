import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import aws4 from 'aws4';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { instrument } from '@inferometer/core';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { CLOUDWATCH_SIGNING_SERVICE, start, type InferometerHandle } from '@inferometer/node';
import { attributesOf, temporalityName, type OtlpMetric } from '../support/otlp-proto.js';
import { startOtlpReceiver, type OtlpReceived, type OtlpReceiver } from '../support/otlp-receiver.js';

// OTEL_METRICS_EXPORTER=otlp with INFEROMETER_OTLP_PRESET=cloudwatch: the
// built @inferometer/node in this process signs each request with the AWS
// SDK's SigV4 signer over the real credential chain (static test keys in the
// standard AWS_* variables of this process); the CloudWatch stand-in
// recomputes every signature with the aws4 package and answers 403 on any
// mismatch, then decodes the OTLP protobuf body.
const REGION = 'us-east-1';
const KEYS = { accessKeyId: 'AKIDINFEROMETERTEST1', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYINFEROMETER', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN//test' };

let receiver: OtlpReceiver;
let handle: InferometerHandle | undefined;
const closers: (() => Promise<void>)[] = [];

beforeEach(() => {
  // The credential chain reads the process environment (fromEnv first); no
  // instance metadata lookups from a test machine.
  vi.stubEnv('AWS_ACCESS_KEY_ID', KEYS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', KEYS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', KEYS.sessionToken);
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
});
afterEach(async () => {
  await handle?.shutdown().catch(() => undefined);
  handle = undefined;
  metrics.disable();
  diag.disable();
  vi.unstubAllEnvs();
  await Promise.allSettled(closers.splice(0).map((close) => close()));
});

async function standIn(expected: Partial<typeof KEYS> = KEYS): Promise<OtlpReceiver> {
  receiver = await startOtlpReceiver({
    vendor: 'cloudwatch',
    sigv4: { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey, ...expected, region: REGION, service: CLOUDWATCH_SIGNING_SERVICE },
  });
  closers.push(() => receiver.close());
  return receiver;
}

function cloudwatchEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    OTEL_METRICS_EXPORTER: 'otlp',
    INFEROMETER_OTLP_PRESET: 'cloudwatch',
    AWS_REGION: REGION,
    // The standard variable wins over the preset's regional URL: the stand-in.
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.metricsUrl,
    INFEROMETER_RUNTIME_METRICS: 'false',
    ...extra,
  };
}

function metricsNamed(requests: readonly OtlpReceived[], name: string): OtlpMetric[] {
  return requests.flatMap((r) => (r.request.resourceMetrics ?? []).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).filter((m) => m.name === name))));
}

/** The successful-prediction counter's values of one model, request by request. */
function successes(requests: readonly OtlpReceived[], model: string): number[] {
  return metricsNamed(requests, METRIC_PREDICTIONS.name)
    .flatMap((m) => m.sum?.dataPoints ?? [])
    .filter((p) => attributesOf(p.attributes).model_name === model && attributesOf(p.attributes).status === 'success')
    .map((p) => Number(p.asDouble ?? p.asInt));
}

/** Calls of an instrumented model: `ok` successes, `failed` errors (each test its own model: the catalog counts for the whole process). */
function predictions(model: string, ok: number, failed: number): void {
  const predict = instrument(
    (x: number) => {
      if (x < 0) throw new Error('bad input');
      return x * 2;
    },
    { model, version: '3' },
  );
  for (let i = 0; i < ok; i++) predict(i);
  for (let i = 0; i < failed; i++) expect(() => predict(-1)).toThrow('bad input');
}

describe('the cloudwatch OTLP preset', () => {
  it('signs each request with SigV4 (service monitoring, the session token) and the stand-in, verifying with aws4, accepts it; counts are exact', async () => {
    await standIn();
    handle = await start({ env: cloudwatchEnv() });
    predictions('iris', 7, 2);
    await handle.forceFlush();

    expect(receiver.received.map((r) => [r.status, r.refusal])).toEqual([[200, undefined]]);
    const [request] = receiver.accepted();
    expect(request!.format).toBe('protobuf');
    expect(request!.headers['content-type']).toBe('application/x-protobuf');
    expect(request!.headers['x-amz-security-token']).toBe(KEYS.sessionToken);
    expect(String(request!.headers.authorization)).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEYS.accessKeyId}/\\d{8}/${REGION}/monitoring/aws4_request, ?SignedHeaders=[^,]*host[^,]*x-amz-date`));

    const counters = metricsNamed([request!], METRIC_PREDICTIONS.name);
    // Cumulative, the specification's default that CloudWatch's PromQL reads.
    expect(counters.every((m) => temporalityName(m.sum?.aggregationTemporality) === 'AGGREGATION_TEMPORALITY_CUMULATIVE')).toBe(true);
    const byStatus = new Map<string, number>();
    for (const point of counters.flatMap((m) => m.sum?.dataPoints ?? [])) {
      const attributes = attributesOf(point.attributes);
      if (attributes.model_name === 'iris') byStatus.set(attributes.status!, Number(point.asDouble ?? point.asInt));
    }
    expect(Object.fromEntries(byStatus)).toEqual({ success: 7, error: 2 });
    const latency = metricsNamed([request!], METRIC_PREDICTION_LATENCY.name)
      .flatMap((m) => m.histogram?.dataPoints ?? [])
      .filter((p) => attributesOf(p.attributes).model_name === 'iris');
    expect(latency.reduce((n, p) => n + Number(p.count), 0)).toBe(9);
  });

  it('signs the gzipped body when compression is on, and the JSON body with http/json', async () => {
    await standIn();
    handle = await start({ env: cloudwatchEnv({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }) });
    predictions('gzip-model', 4, 0);
    await handle.forceFlush();
    expect(receiver.received.map((r) => r.status)).toEqual([200]);
    const gzipped = receiver.received[0]!;
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.wireBytes).toBeLessThan(gzipped.uncompressedBytes);
    expect(successes([gzipped], 'gzip-model')).toEqual([4]);
    await handle.shutdown();
    metrics.disable();

    const before = receiver.received.length;
    handle = await start({ env: cloudwatchEnv({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' }) });
    predictions('json-model', 5, 0);
    await handle.forceFlush();
    const json = receiver.received.slice(before);
    expect(json.map((r) => [r.status, r.format])).toEqual([[200, 'json']]);
    expect(json[0]!.headers['content-type']).toBe('application/json');
    expect(successes(json, 'json-model')).toEqual([5]);
  });

  it('re-signs a retry after a 503 and is accepted', async () => {
    await standIn();
    handle = await start({ env: cloudwatchEnv() });
    predictions('retry-model', 3, 0);
    receiver.failNext(1, 503);
    await handle.forceFlush();
    // The 503 is answered before any check; the retry carries a signature of its own, verified.
    expect(receiver.received.map((r) => r.status)).toEqual([503, 200]);
    expect(receiver.received[1]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(successes(receiver.accepted(), 'retry-model')).toEqual([3]);
  });

  it('is refused (403) when the credentials in the environment are not the ones the endpoint knows, and the export fails', async () => {
    await standIn();
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-the-secret');
    const errors: string[] = [];
    diag.setLogger({ error: (...args: unknown[]) => errors.push(args.map(String).join(' ')), warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.ERROR);
    handle = await start({ env: cloudwatchEnv() });
    predictions('forbidden-model', 1, 0);
    await handle.forceFlush();
    // 403 is not retried (upstream retries 429, 502, 503, 504 only); the reader reports the failed export.
    expect(receiver.received.map((r) => r.status)).toEqual([403]);
    expect(receiver.received[0]!.refusal).toContain('signature does not match');
    expect(errors.some((line) => line.includes('metrics export failed') && line.includes('Forbidden'))).toBe(true);
  });
});

describe('the SigV4 stand-in itself', () => {
  it('accepts a request aws4 signed and refuses the same request with one byte of the body changed, or without the token', async () => {
    await standIn();
    const body = Buffer.from([0x0a, 0x00]);
    const url = new URL(receiver.metricsUrl);
    const signed = aws4.sign(
      { method: 'POST', host: url.host, path: url.pathname, headers: { 'content-type': 'application/x-protobuf', 'x-amz-content-sha256': sha256(body) }, body, service: 'monitoring', region: REGION },
      KEYS,
    );
    const send = (payload: Buffer, headers = signed.headers) =>
      fetch(receiver.metricsUrl, { method: 'POST', headers: headers as Record<string, string>, body: payload }).then((r) => r.status);
    expect(await send(body)).toBe(200);
    expect(await send(Buffer.from([0x0a, 0x01]))).toBe(403);
    const { 'X-Amz-Security-Token': _token, ...withoutToken } = signed.headers as Record<string, string>;
    expect(await send(body, withoutToken)).toBe(403);
    expect(receiver.received.map((r) => r.refusal?.split(':')[1]?.trim())).toEqual([undefined, 'X-Amz-Content-Sha256 is not the hash of the body received', 'X-Amz-Security-Token missing']);
  });
});

function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}
