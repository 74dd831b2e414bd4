import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { PassThrough, pipeline, Readable, Writable } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ATTR_ERROR_TYPE,
  ATTR_MODEL_NAME,
  ATTR_STATUS,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_STREAM_ITEMS,
  STATUS_SUCCESS,
} from '../src/catalog.js';
import { instrument as instrumentInProcess, instrumentIn } from '../src/instrument.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';

let m: TestMetrics;
const model = 'iris';
let rt: Runtime;
beforeEach(() => {
  m = setupTestMetrics();
  // Fresh state per test: a new runtime (recorder, guard, per-model version
  // memory) and a new MeterProvider, so one name serves every test.
  rt = createRuntime();
});
/** instrument() on this test's runtime. */
const instrument: typeof instrumentInProcess = (fn, options) => instrumentIn(rt, fn, options);
afterEach(async () => {
  await m.shutdown();
});

const success = () => ({ [ATTR_MODEL_NAME]: model, [ATTR_STATUS]: STATUS_SUCCESS });
const inFlight = () => m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model });
const sink = (into: string[]) =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      into.push(chunk.toString());
      done();
    },
  });

describe('instrument: Node.js streams', () => {
  it('counts a Readable consumed with pipe(), once, and returns the very same object', async () => {
    let made: Readable | undefined;
    const open = instrument(() => (made = Readable.from(['a', 'b', 'c'], { objectMode: false })), { model });
    const stream = open();
    expect(stream).toBe(made);
    expect(stream).toBeInstanceOf(Readable);
    expect(stream.listenerCount('data')).toBe(0);
    expect(stream.readableFlowing).toBe(null);
    expect(await inFlight()).toBe(1);
    const seen: string[] = [];
    await new Promise<void>((resolve) => stream.pipe(sink(seen)).on('finish', resolve));
    expect(seen.join('')).toBe('abc');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
    expect(await inFlight()).toBe(0);
  });

  it('counts 50 Readables consumed with stream.pipeline: in-flight back to 0', async () => {
    const open = instrument((i: number) => Readable.from([`item ${i}`]), { model });
    for (let i = 0; i < 50; i++) {
      const seen: string[] = [];
      await new Promise<void>((resolve, reject) => pipeline(open(i), sink(seen), (err) => (err ? reject(err) : resolve())));
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(50);
    expect(await inFlight()).toBe(0);
  });

  it('counts a stream that errors as a failure, and the consumer still gets the error', async () => {
    const boom = new RangeError('source broke');
    const open = instrument(
      () =>
        new Readable({
          read() {
            this.destroy(boom);
          },
        }),
      { model },
    );
    await expect(pipelineAsync(open(), new PassThrough())).rejects.toBe(boom);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await m.value(METRIC_PREDICTION_ERRORS.name, { [ATTR_MODEL_NAME]: model, [ATTR_ERROR_TYPE]: 'RangeError' })).toBe(1);
    expect(await inFlight()).toBe(0);
  });

  it('counts a stream the consumer destroys early as a success', async () => {
    const open = instrument(() => new Readable({ read() {} }), { model });
    const stream = open();
    stream.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
    expect(await inFlight()).toBe(0);
  });
});

describe('instrument: async iterables keep their identity', () => {
  it('an async generator object is returned as itself and measured', async () => {
    let generated: AsyncGenerator<number> | undefined;
    const generate = instrument(() => {
      generated = (async function* () {
        yield 1;
        yield 2;
      })();
      return generated;
    }, { model });
    const returned = generate();
    expect(returned).toBe(generated);
    expect(Object.keys(returned)).toEqual([]);
    const seen: number[] = [];
    for await (const item of returned) seen.push(item);
    expect(seen).toEqual([1, 2]);
    expect(await m.histogram(METRIC_STREAM_ITEMS.name, { [ATTR_MODEL_NAME]: model })).toMatchObject({ count: 1, sum: 2 });
  });

  it('an SDK stream object is returned as itself (private fields and all) and measured', async () => {
    class Stream {
      #items = ['a', 'b'];
      controller = 'abort-controller';
      async *[Symbol.asyncIterator](): AsyncGenerator<string> {
        yield* this.#items;
      }
    }
    let made: Stream | undefined;
    const open = instrument(() => (made = new Stream()), { model });
    const stream = open();
    expect(stream).toBe(made);
    expect(Object.keys(stream)).toEqual(['controller']);
    const seen: string[] = [];
    for await (const item of stream) seen.push(item);
    expect(seen).toEqual(['a', 'b']);
    expect(await m.histogram(METRIC_STREAM_ITEMS.name, { [ATTR_MODEL_NAME]: model })).toMatchObject({ count: 1, sum: 2 });
  });
});

const here = dirname(fileURLToPath(import.meta.url));
const dist = pathToFileURL(join(here, '..', 'dist', 'index.js')).href;

describe('instrument: abandoned streams are released when garbage-collected (built dist, --expose-gc)', () => {
  it('1,000 streams never read or read partly and dropped: in-flight back to 0, counted as status="cancelled", not as errors', () => {
    const script = `
import { attachCollector, instrument } from ${JSON.stringify(dist)};
import { Readable } from 'node:stream';
const collector = attachCollector();
const gen = instrument(async function* () { for (let i = 0; ; i++) yield i; }, { model: 'gen' });
const node = instrument(() => new Readable({ read() { this.push('x'); } }), { model: 'node' });
const lazy = instrument(() => ({ then(ok) { ok(1); } }), { model: 'lazy' });
// Held until 'before' is read: a GC may run at any time (Node 26 collected
// them during the churn), and 'before' must see all 1,000 in flight.
const kept = [];
async function churn() {
  for (let i = 0; i < 1000; i++) {
    const g = gen();
    if (i % 2 === 0) await g.next();
    kept.push(g, node(), lazy());
  }
}
await churn();
await new Promise((r) => setTimeout(r, 10));
const read = (name, attrs) => {
  const metric = collector.collect([Math.floor(Date.now() / 1000), 0]).find((x) => x.definition.name === name);
  return (metric?.points ?? []).filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v)).reduce((t, p) => t + p.value, 0);
};
const before = ['gen', 'node', 'lazy'].map((model) => read('ml_predictions_in_flight', { model_name: model }));
kept.length = 0;
for (let i = 0; i < 10; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
const after = ['gen', 'node', 'lazy'].map((model) => read('ml_predictions_in_flight', { model_name: model }));
const cancelled = ['gen', 'node', 'lazy'].map((model) => read('ml_predictions', { model_name: model, status: 'cancelled' }));
const errors = ['gen', 'node', 'lazy'].map((model) => read('ml_predictions', { model_name: model, status: 'error' }) + read('ml_prediction_errors', { model_name: model }));
console.log(JSON.stringify({ before, after, cancelled, errors }));
`;
    const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({ before: [1000, 1000, 1000], after: [0, 0, 0], cancelled: [1000, 1000, 1000], errors: [0, 0, 0] });
  });
});

describe('instrument: a stack overflow through a recursive async generator (built dist, --expose-gc)', () => {
  it('the consumer gets the RangeError, every call is counted once, and in-flight is 0 once the generators the overflow left unstarted are collected', () => {
    // yield* into the function itself: each level's first next() starts the
    // level below from inside our iterator code, so the overflow lands in
    // our stream frames too; 20 starting depths 24 bytes apart. A generator
    // created but never advanced (its next() ran out of stack) is an
    // abandoned stream: counted as cancelled when collected.
    const script = `
import { attachCollector, instrument } from ${JSON.stringify(dist)};
const collector = attachCollector();
const read = (name, attrs) => {
  const metric = collector.collect([Math.floor(Date.now() / 1000), 0]).find((x) => x.definition.name === name);
  return (metric?.points ?? []).filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v)).reduce((t, p) => t + p.value, 0);
};
let calls = 0;
const gen = instrument(async function* (n) { if (n > 0) { calls++; yield* gen(n - 1); } yield n; }, { model: 'gen' });
function callWithSlots(f) { f(); }
const outcomes = new Set();
const runs = 20;
for (let run = 0; run < runs; run++) {
  let consumed;
  Reflect.apply(callWithSlots, undefined, [() => {
    calls++;
    consumed = (async () => { for await (const x of gen(1e5)) void x; })().then(() => 'value', (e) => (e instanceof RangeError ? 'RangeError' : String(e)));
  }, ...new Array(run * 3).fill(0)]);
  outcomes.add(await consumed);
}
for (let i = 0; i < 10; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
const count = (status) => read('ml_predictions', { model_name: 'gen', status });
const counted = count('success') + count('error') + count('cancelled') + read('inferometer_dropped_observations', { model_name: 'gen', reason: 'internal_error' });
console.log(JSON.stringify({ outcomes: [...outcomes], inFlight: read('ml_predictions_in_flight', { model_name: 'gen' }), successes: count('success'), calls, counted, runs }));
`;
    // V8 prints "Exception in PromiseRejectCallback" to stderr when Node's
    // rejection hook itself runs out of stack, with or without us (an
    // uninstrumented async recursion prints it too): stderr is not asserted.
    const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout) as { outcomes: string[]; inFlight: number; successes: number; calls: number; counted: number; runs: number };
    expect(result.outcomes).toEqual(['RangeError']);
    expect(result.inFlight).toBe(0);
    expect(result.successes).toBe(0);
    // Every call begun is counted once; per run, at most one attempt never
    // got into our wrapper (the frame that overflowed first).
    expect(result.counted).toBeLessThanOrEqual(result.calls);
    expect(result.counted).toBeGreaterThanOrEqual(result.calls - result.runs);
  });
});
