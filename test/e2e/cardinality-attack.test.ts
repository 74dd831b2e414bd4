import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUARD_DEFAULTS, instrument } from '@inferometer/core';
import { IDENTIFIER_MARKER, METRIC_ATTRIBUTE_REJECTIONS, METRIC_PREDICTIONS, METRIC_SERIES, OVERFLOW_VALUE } from '@inferometer/core/catalog';
import { start, type InferometerHandle } from '@inferometer/node';

// A cardinality attack with the default caps, on the fast path: a million
// calls with unique user ids and unique free text through one instrumented
// predict. Its own file, so its process starts with an empty guard.
let telemetry: InferometerHandle;
let server: Server;
let url: string;
beforeAll(async () => {
  telemetry = await start({ prometheus: { server: false } });
  server = createServer(telemetry.metricsHandler!);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});
afterAll(async () => {
  server.close();
  await telemetry.shutdown();
});

const lines = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`));
const value = (line: string) => Number(line.slice(line.lastIndexOf(' ') + 1));
const label = (line: string, key: string) => new RegExp(`[{,]${key}="((?:[^"\\\\]|\\\\.)*)"`).exec(line)?.[1];
const MAX_VALUES = GUARD_DEFAULTS.maxValuesPerAttribute;
const MAX_SERIES = GUARD_DEFAULTS.maxSeriesPerMetric;

describe('cardinality guard under attack', () => {
  it('keeps series bounded through 1,000,000 calls of unique ids and free text, counting every call and refusal', async () => {
    const predict = instrument((request: { user: string; segment: string; note: string }) => request.note.length, {
      model: 'attacked',
      version: '1.0.0',
      attributeKeys: ['segment', 'note'],
      attributesFrom: (_self, [request]) => ({ user_id: request.user, segment: request.segment, note: request.note }),
    });
    const N = 1_000_000;
    for (let i = 0; i < N; i++) {
      const id = `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, '0')}`;
      predict({ user: id, segment: id, note: `note ${i.toString(36)}` });
    }
    const text = await (await fetch(url)).text();
    const attacked = lines(text, METRIC_PREDICTIONS.prometheusName).filter((l) => label(l, 'model_name') === 'attacked');
    expect(attacked.reduce((t, l) => t + value(l), 0)).toBe(N);
    expect(lines(text, 'ml_prediction_latency_seconds_count').length).toBeLessThanOrEqual(MAX_SERIES);
    // segment: every value an identifier; note: MAX_VALUES texts, then _OTHER; user_id: never declared.
    expect(new Set(attacked.map((l) => label(l, 'segment')))).toEqual(new Set([IDENTIFIER_MARKER]));
    expect(new Set(attacked.map((l) => label(l, 'note')))).toEqual(new Set([...Array.from({ length: MAX_VALUES }, (_, i) => `note ${i.toString(36)}`), OVERFLOW_VALUE]));
    expect(attacked.every((l) => label(l, 'user_id') === undefined)).toBe(true);
    const rejected = (attribute: string, reason: string) =>
      lines(text, METRIC_ATTRIBUTE_REJECTIONS.prometheusName)
        .filter((l) => label(l, 'attribute') === attribute && label(l, 'reason') === reason)
        .reduce((t, l) => t + value(l), 0);
    expect(rejected('user_id', 'undeclared')).toBe(N);
    expect(rejected('segment', 'identifier')).toBe(N);
    expect(rejected('note', 'value_overflow')).toBe(N - MAX_VALUES);
    const series = lines(text, METRIC_SERIES.prometheusName).find((l) => label(l, 'metric') === METRIC_PREDICTIONS.prometheusName);
    expect(value(series!)).toBeLessThanOrEqual(MAX_SERIES);
  }, 120_000);
});
