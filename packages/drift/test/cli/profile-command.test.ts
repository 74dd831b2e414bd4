import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProfileCommand } from '../../src/cli/profile-command.js';
import { parseProfile } from '../../src/profile/parse.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inferometer-profile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function run(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runProfileCommand(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { status, stdout, stderr };
}

const CSV = 'id,age,country,pred,conf\n1,31,fr,yes,0.9\n2,45,de,no,0.7\n3,,fr,yes,0.95\n4,52,"fr",yes,0.8\n';

describe('inferometer-profile', () => {
  it('profiles a CSV: numeric and categorical columns, missing values, prediction columns', async () => {
    const { status, stdout, stderr } = await run(file('data.csv', CSV), '--ignore', 'id', '--bins', '2', '--prediction-class', 'pred', '--prediction-confidence', 'conf');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const profile = parseProfile(JSON.parse(stdout));
    expect(profile.rows).toBe(4);
    expect(profile.features).toEqual([
      { name: 'age', type: 'numeric', count: 3, missing: 1, min: 31, max: 52, edges: [38], proportions: [1 / 3, 2 / 3] },
      { name: 'country', type: 'categorical', count: 4, missing: 0, categories: ['fr', 'de'], proportions: [0.75, 0.25] },
    ]);
    expect(profile.predictions?.class).toMatchObject({ categories: ['yes', 'no'], proportions: [0.75, 0.25] });
    expect(profile.predictions?.confidence).toMatchObject({ type: 'numeric', min: 0.7, max: 0.95 });
  });

  it('fails clearly: missing file, ragged rows, no data, too many features or categories', async () => {
    const missing = await run(join(dir, 'nope.csv'));
    expect(missing).toEqual({ status: 1, stdout: '', stderr: `inferometer-profile: cannot read ${join(dir, 'nope.csv')}: no such file\n` });

    const ragged = file('ragged.csv', 'a,b\n1,2\n3\n');
    expect((await run(ragged)).stderr).toBe(`inferometer-profile: ${ragged} line 3: 1 fields, but the header has 2; every row needs one value per column (ragged rows)\n`);

    const empty = file('empty.csv', '');
    expect((await run(empty)).stderr).toBe(`inferometer-profile: ${empty} is empty: it needs a header row and data rows\n`);
    const header = file('header.csv', 'a,b\n');
    expect((await run(header)).stderr).toBe(`inferometer-profile: ${header} has a header but no data rows\n`);

    const wide = file('wide.csv', `${Array.from({ length: 5 }, (_, i) => `f${i}`).join(',')}\n1,2,3,4,5\n`);
    const tooWide = await run(wide, '--max-features', '4');
    expect(tooWide.status).toBe(1);
    expect(tooWide.stderr).toBe(`inferometer-profile: ${wide} has 5 feature columns; the limit is 4 (--max-features, at most 1000). Leave columns out with --ignore\n`);
    expect((await run(wide, '--max-features', '4', '--ignore', 'f4')).status).toBe(0);

    const cities = file('cities.csv', `city\n${Array.from({ length: 70 }, (_, i) => `c${i}`).join('\n')}\n`);
    expect((await run(cities)).stderr).toBe(
      `inferometer-profile: column "city" of ${cities} has more than 64 distinct values (--max-categories, at most 1000); leave it out with --ignore city, or encode it as numbers\n`,
    );
  });

  it('refuses wrong usage with exit status 2 and the usage text', async () => {
    const data = file('ok.csv', CSV);
    const noFile = await run();
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toContain('inferometer-profile: give the CSV file to profile\n\nusage: inferometer-profile <data.csv>');
    expect((await run(data, '--bins', '1')).stderr).toContain('inferometer-profile: --bins must be a whole number from 2 to 100; got "1"');
    expect((await run(data, '--categorical', 'height')).stderr).toContain(`--categorical names "height", which is not a column of ${data} (id, age, country, pred, conf)`);
    expect((await run(data, '--frobnicate')).status).toBe(2);
    const help = await run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--prediction-class <col>');
  });

  it('runs as the package bin (dist/cli.js, shebang, exit status)', () => {
    const bin = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
    const out = execFileSync(bin, [file('bin.csv', CSV), '--ignore', 'id'], { encoding: 'utf8' });
    expect(parseProfile(JSON.parse(out)).features.map((f) => f.name)).toEqual(['age', 'country', 'pred', 'conf']);
    const failed = spawnSync(bin, [join(dir, 'absent.csv')], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('no such file');
  });
});
