import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const run = promisify(execFile);

describe('@Instrument in a real NestJS app (tsc, experimentalDecorators, CommonJS, built dist)', () => {
  it('routes POST /a and /b with @Instrument above or below @Post, counts every call, and keeps the route metadata', async () => {
    const tsc = require.resolve('typescript/bin/tsc');
    // Child processes run asynchronously: the worker keeps answering vitest meanwhile.
    await run(process.execPath, [tsc, '-p', join(root, 'test', 'fixtures', 'nest-app', 'tsconfig.json')]);
    // A bound for a hung app, far above its few seconds on a loaded machine.
    const { stdout: out } = await run(process.execPath, [join(root, 'node_modules', '.nest-app', 'app.js')], { encoding: 'utf8', timeout: 120_000 });
    const result = JSON.parse(out) as {
      statuses: Record<string, number[]>;
      predictions: { model: string; status: string; value: number }[];
      metadata: Record<string, Record<string, unknown>>;
    };
    expect(result.statuses).toEqual({ a: [201, 201], b: [201, 201, 201] });
    expect(result.predictions.filter((p) => p.status === 'success').sort((x, y) => x.model.localeCompare(y.model))).toEqual([
      { model: 'nest_a', status: 'success', value: 2 },
      { model: 'nest_b', status: 'success', value: 3 },
    ]);
    // Both orders answer like the undecorated method c: the same keys and values but the path.
    const { path: _path, ...undecorated } = result.metadata['c']!;
    expect(Object.keys(undecorated).length).toBeGreaterThan(0);
    expect(result.metadata['a']).toEqual({ ...undecorated, path: 'a' });
    expect(result.metadata['b']).toEqual({ ...undecorated, path: 'b' });
  });
});
