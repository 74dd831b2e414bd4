import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const dist = pathToFileURL(join(here, '..', 'dist', 'index.js')).href;

/** Runs a module script in a fresh Node (default --unhandled-rejections=throw), importing the built core. */
function run(body: string): { status: number | null; stderr: string; stdout: string } {
  const script = `import { instrument } from ${JSON.stringify(dist)};\n${body}`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: child.status, stderr: child.stderr, stdout: child.stdout };
}

const rejecting = `const reason = new Error('nobody-handles-this');
const bare = async () => { throw reason; };`;

describe('instrument: unhandled rejections stay unhandled (built dist, child process)', () => {
  it('a rejection the caller ignores crashes the process with exit 1 and the same reason, as without the wrapper', () => {
    const bare = run(`${rejecting}\nbare();`);
    const wrapped = run(`${rejecting}\ninstrument(bare, { model: 'm' })();`);
    expect(bare.status).toBe(1);
    expect(bare.stderr).toContain('nobody-handles-this');
    expect(wrapped.status).toBe(1);
    expect(wrapped.stderr).toContain('nobody-handles-this');
  });

  it('reports exactly one unhandledRejection with the identical reason', () => {
    const wrapped = run(`${rejecting}
const seen = [];
process.on('unhandledRejection', (r) => seen.push(r));
instrument(bare, { model: 'm' })();
setTimeout(() => console.log(JSON.stringify({ count: seen.length, same: seen[0] === reason })), 50);`);
    expect(wrapped.status).toBe(0);
    expect(JSON.parse(wrapped.stdout)).toEqual({ count: 1, same: true });
  });

  it('a rejection the caller handles raises nothing and exits 0', () => {
    const wrapped = run(`${rejecting}
let events = 0;
process.on('unhandledRejection', () => events++);
process.on('rejectionHandled', () => events++);
instrument(bare, { model: 'm' })().catch((e) => console.log(e === reason));
setTimeout(() => console.log(events), 50);`);
    expect(wrapped.status).toBe(0);
    expect(wrapped.stdout.trim().split('\n')).toEqual(['true', '0']);
  });
});
