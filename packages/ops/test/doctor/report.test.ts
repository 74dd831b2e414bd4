import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { serveMetrics } from '@inferometer/testing';
import { main } from '../../src/cli/main.js';

// `inferometer doctor --report`: the health page written from one scrape of
// a real HTTP endpoint serving the demo's own exposition (fixtures/demo.prom).
const DEMO = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'demo.prom'), 'utf8');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((stop) => stop()));
});

/** The `data-value` of the row `key`, or undefined. */
function valueOf(html: string, key: string): number | undefined {
  const match = new RegExp(`<tr data-key="${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}">.*?<td class="v"(?: data-value="([^"]*)")?`).exec(html);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

describe('inferometer doctor --report', () => {
  it('writes the health page of the scraped endpoint: current values, no charts, no external reference', async () => {
    const server = await serveMetrics(() => DEMO);
    cleanups.push(server.stop);
    const dir = mkdtempSync(join(tmpdir(), 'doctor-report-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'report.html');
    let out = '';
    const code = await main(['doctor', server.url, '--report', file], { stdout: (t) => (out += t), stderr: (t) => (out += t) });
    expect(code, out).toBe(0);
    expect(out).toContain(`health report written to ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // The fixture: 2 successes and 1 error, 3 latencies under 5 ms.
    expect(valueOf(html, 'iris/1.0.0/calls_total')).toBe(3);
    expect(valueOf(html, 'iris/1.0.0/error_ratio_total')).toBeCloseTo(1 / 3, 12);
    expect(valueOf(html, 'iris/1.0.0/latency_p99_total')).toBeCloseTo(0.005 * 0.99, 12);
    // One scrape: no rate, and no history column.
    expect(valueOf(html, 'iris/1.0.0/calls_per_second')).toBeUndefined();
    expect(html).not.toContain('Last 15 minutes');
    expect(html).toContain('current values only');
    // Self-contained: no script, no URL it would load.
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
  });

  it('writes nothing, and fails, when the endpoint gives no exposition', async () => {
    const server = await serveMetrics(() => 'nope\n', 500);
    cleanups.push(server.stop);
    const dir = mkdtempSync(join(tmpdir(), 'doctor-report-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    let out = '';
    const code = await main(['doctor', server.url, '--report', join(dir, 'report.html')], { stdout: (t) => (out += t), stderr: (t) => (out += t) });
    expect(code).toBe(1);
    expect(out).toContain('no health report written');
  });
});
