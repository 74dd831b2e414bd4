import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureGuards, instrument } from '@inferometer/core';
import { IDENTIFIER_MARKER, METRIC_PREDICTIONS, OVERFLOW_VALUE, TOO_LONG_MARKER } from '@inferometer/core/catalog';
import { start, type InferometerHandle } from '@inferometer/node';
import { requireBinary } from '../support/binaries.js';

// The cardinality guard end to end, on the fast path that start() sets up:
// whatever attribute values arrive, series stay under the caps, every call is
// counted, nothing throws into the caller, and Prometheus accepts the
// exposition. One process per test file, so the guard's caps are this file's.
const MAX_VALUES = 5;
const MAX_SERIES = 40;

let telemetry: InferometerHandle;
let server: Server;
let url: string;
beforeAll(async () => {
  configureGuards({ maxValuesPerAttribute: MAX_VALUES, maxSeriesPerMetric: MAX_SERIES });
  telemetry = await start({ prometheus: { server: false } });
  server = createServer(telemetry.metricsHandler!);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});
afterAll(async () => {
  server.close();
  await telemetry.shutdown();
});

const exposition = async () => (await fetch(url)).text();
const lines = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`));
const value = (line: string) => Number(line.slice(line.lastIndexOf(' ') + 1));
const label = (line: string, key: string) => new RegExp(`[{,]${key}="((?:[^"\\\\]|\\\\.)*)"`).exec(line)?.[1];

const KEYS = ['tier', 'region', 'segment', 'channel'] as const;
/** Values of every shape: words, identifiers, unicode, quotes and newlines, long text, numbers. */
const values = fc.oneof(
  fc.constantFrom('gold', 'free', 'eu', 'us'),
  fc.uuid(),
  fc.emailAddress(),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ minLength: 70, maxLength: 120 }),
  fc.integer().map(String),
  fc.constant('quote " backslash \\ newline \n end'),
);

let runs = 0;
describe('cardinality guard, property-based', () => {
  it('never exceeds the caps, never throws, counts every call, and promtool accepts the exposition', async () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(fc.subarray([...KEYS], { minLength: 1 }), fc.array(fc.array(values, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 60 }), async (keys, rows) => {
        const model = `prop_${runs++}`;
        const predict = instrument((row: string[]) => row.length, {
          model,
          attributes: Object.fromEntries(keys.map((key) => [key, (_self: unknown, [row]: [string[]]) => row[KEYS.indexOf(key)]])),
        });
        for (const row of rows) expect(predict(row)).toBe(4);
        calls += rows.length;
        const text = await exposition();
        // Every call counted, in its own series or an overflow one.
        const total = lines(text, METRIC_PREDICTIONS.prometheusName).reduce((t, l) => t + value(l), 0);
        expect(total).toBe(calls);
        // At most MAX_SERIES label sets in the whole metric, the overflow one included.
        const latencySeries = lines(text, 'ml_prediction_latency_seconds_count');
        expect(latencySeries.length).toBeLessThanOrEqual(MAX_SERIES);
        // At most MAX_VALUES real values per key and model, plus the markers.
        for (const key of keys) {
          const seen = new Set(latencySeries.filter((l) => label(l, 'model_name') === model).map((l) => label(l, key)));
          for (const marker of [OVERFLOW_VALUE, IDENTIFIER_MARKER, TOO_LONG_MARKER, undefined]) seen.delete(marker);
          expect(seen.size).toBeLessThanOrEqual(MAX_VALUES);
        }
        execFileSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      }),
      { numRuns: 25 },
    );
  });
});

