import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript beside the benchmarks, without declarations
import { TABLE_BEGIN, TABLE_END } from '../bench/lib.mjs';

// docs/performance.md shows the last full `npm run bench` run, written there
// by bench/run.mjs between two markers, the same run bench/RESULTS.md holds:
// a figure typed by hand, or a table left behind by a later run, fails here.

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

describe('the performance table in docs/performance.md', () => {
  it("is bench/RESULTS.md's run: the same header and table, between the markers bench/run.mjs writes", () => {
    const doc = read('docs/performance.md');
    const begin = doc.indexOf(TABLE_BEGIN as string);
    const end = doc.indexOf(TABLE_END as string);
    expect(begin, 'the begin marker').toBeGreaterThan(-1);
    expect(end, 'the end marker after it').toBeGreaterThan(begin);
    const written = doc.slice(begin + (TABLE_BEGIN as string).length, end).trim();
    const results = read('bench/RESULTS.md');
    // RESULTS.md: a title and a line on where it comes from, then the run's lines, then its notes.
    const run = results.slice(results.indexOf('Inferometer benchmarks,'), results.indexOf('\nNotes:')).trim();
    expect(written).toBe(run);
    expect(written).toMatch(/^\| target \| metric \| ours \|/m);
    expect(written.split('\n').filter((line) => line.startsWith('| ')).length, 'rows besides the header').toBeGreaterThan(10);
  });
});
