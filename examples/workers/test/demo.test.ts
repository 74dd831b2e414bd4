import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const SERVER = fileURLToPath(new URL('../server.mjs', import.meta.url));

describe('examples/workers', () => {
  it('npm run demo: every prediction of the pool threads in the main thread\'s scrape, once', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [SERVER, '--demo'], { env: { ...process.env, THREADS: '3' }, timeout: 60_000 });
    expect(stdout).toContain('1000 predictions in 3 threads; ml_predictions_total = 1000');
  }, 90_000);
});
