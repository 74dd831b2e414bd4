import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ALL_METRICS, ENDPOINT_CATALOG, REMOTE_WRITE_CATALOG } from '../../src/catalog.js';
import { grafanaDashboard } from '../../src/dashboard/dashboard.js';
import { ENDPOINT_QUERIES, ENDPOINT_ROW_TITLE } from '../../src/dashboard/endpoint-row.js';
import { SCRAPE_FAILURE_RATIO } from '../../src/rules/endpoint.js';
import { requireBinary } from '@inferometer/testing';

type Panel = { type: string; title: string; targets?: { expr: string }[]; fieldConfig?: { defaults?: { thresholds?: { steps: { value: number | null; color: string }[] } } } };
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function row(): Panel[] {
  const panels = grafanaDashboard({}).panels as Panel[];
  const at = panels.findIndex((p) => p.type === 'row' && p.title === ENDPOINT_ROW_TITLE);
  expect(at).toBeGreaterThan(0);
  const next = panels.findIndex((p, i) => i > at && p.type === 'row');
  return panels.slice(at + 1, next < 0 ? undefined : next);
}

/** The inferometer_* series a query reads. */
const seriesOf = (query: string): string[] => (query.match(/\binferometer_[a-z0-9_]+/g) ?? []).map((name) => name.replace(/_(sum|count|bucket)$/, ''));

describe('the metrics endpoint and exporters row of the dashboard', () => {
  it("draws the endpoint's requests, failure ratio (with the alert threshold), refusals and errors, durations, and remote write's queue, drops and retries", () => {
    const panels = row();
    expect(panels.map((p) => p.title)).toEqual([
      'Scrapes by status code',
      'Scrapes not answered 200',
      'Refusals and failed collections',
      'Collect and encode time p99',
      'Remote write queue',
      'Remote write drops and retries',
    ]);
    expect(panels.flatMap((p) => p.targets!.map((t) => t.expr))).toEqual(Object.values(ENDPOINT_QUERIES));
    expect(panels[1]!.fieldConfig?.defaults?.thresholds?.steps.find((s) => s.color === 'red')?.value).toBe(SCRAPE_FAILURE_RATIO);
  });

  it("reads every family of the endpoint's catalog and the remote-write catalog, and only names from ALL_METRICS", () => {
    const catalog = new Set(ALL_METRICS.map((m) => m.prometheusName));
    const used = new Set(Object.values(ENDPOINT_QUERIES).flatMap(seriesOf));
    for (const name of used) expect(catalog.has(name), name).toBe(true);
    const read = [...ENDPOINT_CATALOG, ...REMOTE_WRITE_CATALOG].filter((m) => used.has(m.prometheusName)).map((m) => m.prometheusName);
    // Dropped families are told by diag and counted, not drawn; sent samples are the healthy case.
    expect(read).toEqual([
      'inferometer_scrape_requests_total',
      'inferometer_scrape_refusals_total',
      'inferometer_scrape_errors_total',
      'inferometer_scrape_collect_duration_seconds',
      'inferometer_scrape_encode_duration_seconds',
      'inferometer_remote_write_samples_retried_total',
      'inferometer_remote_write_samples_dropped_total',
      'inferometer_remote_write_samples_pending',
    ]);
  });

  it('writes PromQL that Prometheus parses', () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-endpoint-row-'));
    dirs.push(dir);
    const rules = Object.values(ENDPOINT_QUERIES).map((expr, i) => ({ record: `check:q${i}`, expr: expr.replace(/\$(job|model|version)/g, '.*') }));
    writeFileSync(join(dir, 'q.yml'), stringify({ groups: [{ name: 'q', rules }] }));
    expect(execFileSync(promtool, ['check', 'rules', join(dir, 'q.yml')], { encoding: 'utf8' })).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});
