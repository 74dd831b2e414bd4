import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ALL_METRICS } from '../../src/catalog.js';
import { grafanaDashboard } from '../../src/dashboard/dashboard.js';
import { RUNTIME_QUERIES, RUNTIME_ROW_TITLE } from '../../src/dashboard/runtime-row.js';
import { requireBinary } from '@inferometer/testing';

type Panel = { type: string; title: string; targets?: { expr: string }[]; fieldConfig?: { defaults?: { thresholds?: { steps: { value: number | null; color: string }[] } } } };
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function row(options = {}): Panel[] {
  const panels = grafanaDashboard(options).panels as Panel[];
  const at = panels.findIndex((p) => p.type === 'row' && p.title === RUNTIME_ROW_TITLE);
  expect(at).toBeGreaterThan(0);
  const next = panels.findIndex((p, i) => i > at && p.type === 'row');
  return panels.slice(at + 1, next < 0 ? undefined : next);
}

describe('the runtime row of the dashboard', () => {
  it('sets per-instance model p99 beside event-loop lag, then CPU, heap and GC', () => {
    const panels = row({ latencyP99Seconds: 0.3 });
    expect(panels.map((p) => p.title)).toEqual(['p99 latency and event-loop lag', 'CPU and event-loop utilisation', 'Heap used', 'Time in GC']);
    expect(panels[0]!.targets!.map((t) => t.expr)).toEqual([RUNTIME_QUERIES.latencyP99ByInstance, RUNTIME_QUERIES.eventLoopLagP99]);
    expect(panels[0]!.fieldConfig?.defaults?.thresholds?.steps.find((s) => s.color === 'red')?.value).toBe(0.3);
    expect(panels[1]!.targets!.map((t) => t.expr)).toEqual([RUNTIME_QUERIES.cpu, RUNTIME_QUERIES.eventLoopUtilization]);
  });

  it('reads series prom-client\'s collectDefaultMetrics() exposes (the names @inferometer/node copies)', () => {
    const script = "const c = require('prom-client'); c.collectDefaultMetrics(); process.stdout.write(JSON.stringify(c.register.getMetricsAsArray().map((m) => m.name)))";
    const names = new Set(JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })) as string[]);
    const used = Object.values(RUNTIME_QUERIES).flatMap((q) => q.match(/\b(?:process|nodejs)_[a-z0-9_]+/g) ?? []);
    expect(used.length).toBeGreaterThan(4);
    // nodejs_eventloop_utilization_ratio is @inferometer/node's addition (no prom-client counterpart).
    const families = used.map((n) => n.replace(/_(sum|count|bucket)$/, '')).filter((n) => n !== 'nodejs_eventloop_utilization_ratio');
    for (const name of families) expect(names.has(name), name).toBe(true);
  });

  it('reads only families of the metric catalog (@inferometer/node/catalog), never names of its own', () => {
    const catalog = new Set(ALL_METRICS.map((m) => m.prometheusName));
    const used = Object.values(RUNTIME_QUERIES).flatMap((q) => q.match(/\b(?:process|nodejs)_[a-z0-9_]+/g) ?? []);
    for (const name of used) expect(catalog.has(name.replace(/_(sum|count|bucket)$/, '')), name).toBe(true);
  });

  it('writes PromQL that Prometheus parses', () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-runtime-row-'));
    dirs.push(dir);
    const rules = Object.values(RUNTIME_QUERIES).map((expr, i) => ({ record: `check:q${i}`, expr: expr.replace(/\$(job|model|version)/g, '.*') }));
    writeFileSync(join(dir, 'q.yml'), stringify({ groups: [{ name: 'q', rules }] }));
    expect(execFileSync(promtool, ['check', 'rules', join(dir, 'q.yml')], { encoding: 'utf8' })).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});
