import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FINAL_CHUNK_BYTES } from '../../src/cluster/names.js';

// The ground a cluster worker's final points stand on (cluster/worker.ts):
// a message sent over the IPC channel in process 'exit', when no callback
// runs any more, reaches the parent only if libuv writes it in the send call
// itself (uv_write → uv__write when nothing is queued, libuv src/unix/stream.c).
const CHILD = fileURLToPath(new URL('./fixtures/ipc-exit-child.mjs', import.meta.url));

interface Received {
  readonly pieces: number[];
  readonly intact: boolean;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Forks the child and gathers the pieces it sent on its way out, until its channel closed and it exited. */
function run(bytes: number, count: number, how: 'exit' | 'kill'): Promise<Received> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [String(bytes), String(count), how], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const pieces: number[] = [];
    let intact = true;
    child.on('message', (message: { piece?: number; body?: string }) => {
      if (message.piece === undefined) return;
      pieces.push(message.piece);
      if (message.body?.length !== bytes) intact = false;
    });
    child.on('error', reject);
    let closed = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const done = (): void => {
      if (closed && exit !== undefined) resolve({ pieces, intact, ...exit });
    };
    child.once('disconnect', () => {
      closed = true;
      done();
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      done();
    });
  });
}

describe("IPC messages sent in process 'exit'", () => {
  it.each([1_024, FINAL_CHUNK_BYTES, 64 * 1_024])('a message of %i bytes is written in the send call: it arrives though the process is SIGKILLed right after', async (bytes) => {
    const received = await run(bytes, 1, 'kill');
    expect(received.signal).toBe('SIGKILL');
    expect(received.pieces).toEqual([0]);
    expect(received.intact).toBe(true);
  }, 30_000);

  it('many pieces beyond the socket buffer: the ones the kernel took arrive whole and in order, the rest are dropped cleanly', async () => {
    // 400 pieces of 8 KB: far more than Linux's default buffer (about 200 KB) takes, though the parent reads meanwhile.
    const received = await run(FINAL_CHUNK_BYTES, 400, 'exit');
    expect(received.code).toBe(0);
    expect(received.intact).toBe(true);
    expect(received.pieces.length).toBeGreaterThanOrEqual(1);
    expect(received.pieces).toEqual(received.pieces.map((_, i) => i));
    // The largest single message that still arrives, for the record (it depends on the kernel's socket buffer).
    let largest = 0;
    for (const bytes of [128, 192, 256, 512, 1_024].map((k) => k * 1_024)) {
      if ((await run(bytes, 1, 'exit')).pieces.length === 1) largest = bytes;
    }
    console.log(`process 'exit': ${received.pieces.length} of 400 pieces of ${FINAL_CHUNK_BYTES} bytes arrived; the largest single message that arrived in this run: ${largest / 1_024} KB (the parent reads while the child writes)`);
  }, 60_000);
});
