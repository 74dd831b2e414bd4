import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBinary } from '@inferometer/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { QUERIES } from '../../src/dashboard/queries.js';
import { recordingRules } from '../../src/rules/recording.js';
import { renderPrometheusRules } from '../../src/rules/rule-file.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'instances.promtool.yml');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The label lists of every `by (...)` in a PromQL expression. */
function byLists(expr: string): string[][] {
  return [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].map((match) => match[1]!.split(',').map((label) => label.trim()));
}

describe('recording rules with several instances of one service', () => {
  it('aggregate across instances: promtool sums two pods into one series per model', () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-instances-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'rules.yml'), renderPrometheusRules({}));
    copyFileSync(FIXTURE, join(dir, 'instances.promtool.yml'));
    const run = spawnSync(promtool, ['test', 'rules', 'instances.promtool.yml'], { cwd: dir, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('never keep `instance` in a recorded or dashboard aggregation', () => {
    const exprs = [...recordingRules({ clientErrorTypes: 'invalid_input' }).map((rule) => rule.expr), ...Object.values(QUERIES).map((query) => (typeof query === "function" ? query("0.99") : query))];
    const lists = exprs.flatMap(byLists);
    expect(lists.length).toBeGreaterThan(10);
    for (const labels of lists) expect(labels).not.toContain('instance');
  });
});
