import type { Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ATTR_ERROR_TYPE,
  ATTR_MODEL_NAME,
  ATTR_ATTRIBUTE,
  ATTR_MODEL_VERSION,
  ATTR_REASON,
  ATTR_STATUS,
  DROP_REASONS,
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_ATTRIBUTE_REJECTIONS,
  METRIC_DROPPED_OBSERVATIONS,
  METRIC_MODEL_INFO,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_STREAM_ITEMS,
  METRIC_TIME_TO_FIRST_ITEM,
  STATUS_ERROR,
  STATUS_SUCCESS,
} from '../src/catalog.js';
import { instrument as instrumentInProcess, instrumentIn } from '../src/instrument.js';
import { attachCollectorTo } from '../src/collector.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { OVERFLOW_VALUE } from '../src/guard/patterns.js';
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
const failure = () => ({ [ATTR_MODEL_NAME]: model, [ATTR_STATUS]: STATUS_ERROR });

describe('instrument: sync functions', () => {
  it('returns the value, counts a success, and times the call', async () => {
    const add = instrument((a: number, b: number) => a + b, { model, version: '1.0.0' });
    expect(add(2, 3)).toBe(5);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
    const latency = await m.histogram(METRIC_PREDICTION_LATENCY.name, { [ATTR_MODEL_NAME]: model, [ATTR_MODEL_VERSION]: '1.0.0' });
    expect(latency?.count).toBe(1);
    expect(latency?.buckets.boundaries).toEqual([...METRIC_PREDICTION_LATENCY.buckets]);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });

  it('rethrows the very same error and counts it by class', async () => {
    class ShapeError extends Error {}
    const thrown = new ShapeError('bad shape');
    const predict = instrument(() => {
      throw thrown;
    }, { model });
    let caught: unknown;
    try {
      predict();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(thrown);
    expect(await m.value(METRIC_PREDICTIONS.name, failure())).toBe(1);
    expect(await m.value(METRIC_PREDICTION_ERRORS.name, { [ATTR_MODEL_NAME]: model, [ATTR_ERROR_TYPE]: 'ShapeError' })).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });

  it('keeps this, arguments, name and length', () => {
    const self = { factor: 3 };
    function scaledSum(this: typeof self, a: number, b: number): number {
      return this.factor * (a + b);
    }
    const wrapped = instrument(scaledSum, { model });
    expect(wrapped.call(self, 1, 2)).toBe(9);
    expect(wrapped.name).toBe('scaledSum');
    expect(wrapped.length).toBe(2);
  });
});

describe('instrument: async functions', () => {
  it('returns a native promise of the same value, settled after the original', async () => {
    const pending = Promise.resolve(42);
    const predict = instrument(() => pending, { model });
    const returned = predict();
    // A native promise cannot be observed without marking it handled, so the
    // caller gets the derived promise (see instrument()'s TSDoc).
    expect(Object.getPrototypeOf(returned)).toBe(Promise.prototype);
    expect(await returned).toBe(42);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
  });

  it('counts a rejection and the caller gets the same reason', async () => {
    const reason = new TypeError('no input');
    const predict = instrument(async () => {
      throw reason;
    }, { model });
    await expect(predict()).rejects.toBe(reason);
    expect(await m.value(METRIC_PREDICTIONS.name, failure())).toBe(1);
    expect(await m.value(METRIC_PREDICTION_ERRORS.name, { [ATTR_MODEL_NAME]: model, [ATTR_ERROR_TYPE]: 'TypeError' })).toBe(1);
  });

  it('counts N concurrent calls exactly, rejected ones included', async () => {
    const predict = instrument(async (i: number) => {
      await new Promise((resolve) => setTimeout(resolve, i % 7));
      if (i % 5 === 0) throw new RangeError(String(i));
      return i;
    }, { model });
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => predict(i)));
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(40);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(160);
    expect(await m.value(METRIC_PREDICTIONS.name, failure())).toBe(40);
    expect((await m.histogram(METRIC_PREDICTION_LATENCY.name, { [ATTR_MODEL_NAME]: model }))?.count).toBe(200);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });

  it('shows calls in flight while they run', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const predict = instrument(async () => gate, { model });
    const running = [predict(), predict(), predict()];
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(3);
    release();
    await Promise.all(running);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });
});

describe('instrument: extractors', () => {
  it('observes the max of a probability vector and the batch size read from the arguments', async () => {
    const predict = instrument(async (rows: number[][]) => rows.map(() => [0.1, 0.85, 0.05]), {
      model,
      batchSize: (rows) => rows.length,
      confidence: (out) => out,
    });
    await predict([[1], [2], [3]]);
    const confidence = await m.histogram(METRIC_PREDICTION_CONFIDENCE.name, { [ATTR_MODEL_NAME]: model });
    // A list of vectors is a batch: one observation per row.
    expect(confidence?.count).toBe(3);
    expect(confidence?.sum).toBeCloseTo(2.55, 10);
    const batch = await m.histogram(METRIC_PREDICTION_BATCH_SIZE.name, { [ATTR_MODEL_NAME]: model });
    expect(batch?.count).toBe(1);
    expect(batch?.sum).toBe(3);
  });

  it('treats a flat vector (a typed array too) as one prediction', async () => {
    const predict = instrument(() => new Float32Array([0.25, 0.5, 0.25]), { model, confidence: (out) => out });
    predict();
    const confidence = await m.histogram(METRIC_PREDICTION_CONFIDENCE.name, { [ATTR_MODEL_NAME]: model });
    expect(confidence).toMatchObject({ count: 1, sum: 0.5 });
  });

  it('never lets a failing extractor reach the caller; counts the drop instead', async () => {
    const predict = instrument((x: number) => x * 2, {
      model,
      confidence: () => {
        throw new Error('extractor bug');
      },
      batchSize: () => Number.NaN,
    });
    expect(predict(21)).toBe(42);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
    expect(await m.value(METRIC_DROPPED_OBSERVATIONS.name, { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: DROP_REASONS.confidence })).toBe(1);
    expect(await m.value(METRIC_DROPPED_OBSERVATIONS.name, { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: DROP_REASONS.batchSize })).toBe(1);
  });

  it('drops confidence outside [0, 1]', async () => {
    const predict = instrument(() => 7, { model, confidence: (x) => x });
    predict();
    expect(await m.histogram(METRIC_PREDICTION_CONFIDENCE.name, { [ATTR_MODEL_NAME]: model })).toBeUndefined();
    expect(await m.value(METRIC_DROPPED_OBSERVATIONS.name, { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: DROP_REASONS.confidenceRange })).toBe(1);
  });
});

describe('instrument: versions and attributes', () => {
  it('attributes each call to the version that served it when the model is swapped', async () => {
    const service = { version: '1.0.0' };
    const predict = instrument(function (this: typeof service) {
      return this.version;
    }, { model, version: (self) => self.version });
    predict.call(service);
    predict.call(service);
    service.version = '2.0.0';
    predict.call(service);
    expect(await m.value(METRIC_PREDICTIONS.name, { ...success(), [ATTR_MODEL_VERSION]: '1.0.0' })).toBe(2);
    expect(await m.value(METRIC_PREDICTIONS.name, { ...success(), [ATTR_MODEL_VERSION]: '2.0.0' })).toBe(1);
    const info = await m.attributes(METRIC_MODEL_INFO.name);
    expect(info.filter((a) => a[ATTR_MODEL_NAME] === model).map((a) => a[ATTR_MODEL_VERSION]).sort()).toEqual(['1.0.0', '2.0.0']);
    expect(await m.value(METRIC_ACTIVE_MODEL_VERSION.name, { [ATTR_MODEL_NAME]: model })).toBe(2_000_000);
  });

  it('puts declared constant and per-call attributes on every per-prediction series', async () => {
    const predict = instrument((request: { tier: string }) => request.tier, {
      model,
      attributes: { region: 'eu', tier: (_self, [request]) => request.tier },
    });
    predict({ tier: 'gold' });
    predict({ tier: 'free' });
    predict({ tier: 'gold' });
    expect(await m.value(METRIC_PREDICTIONS.name, { ...success(), region: 'eu', tier: 'gold' })).toBe(2);
    expect(await m.value(METRIC_PREDICTIONS.name, { ...success(), region: 'eu', tier: 'free' })).toBe(1);
  });

  it('collapses values past the per-attribute cap (100) into _OTHER, counting every call and every refusal', async () => {
    const predict = instrument((id: number) => id, { model, attributes: { bucket: (_self, [id]) => `b${id}` } });
    for (let i = 0; i < 150; i++) predict(i);
    const series = (await m.attributes(METRIC_PREDICTIONS.name)).filter((a) => a[ATTR_MODEL_NAME] === model);
    expect(series).toHaveLength(101);
    expect(await m.value(METRIC_PREDICTIONS.name, { ...success(), bucket: OVERFLOW_VALUE })).toBe(50);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(150);
    expect(await m.value(METRIC_ATTRIBUTE_REJECTIONS.name, { [ATTR_ATTRIBUTE]: 'bucket', [ATTR_REASON]: 'value_overflow' })).toBe(50);
  });

  it('counts the call under "unknown" when the version function throws', async () => {
    const predict = instrument(() => 1, {
      model,
      version: () => {
        throw new Error('no version');
      },
    });
    expect(predict()).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS.name, { ...success(), [ATTR_MODEL_VERSION]: 'unknown' })).toBe(1);
    expect(await m.value(METRIC_DROPPED_OBSERVATIONS.name, { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: DROP_REASONS.version })).toBe(1);
  });
});

describe('instrument: streams', () => {
  it('measures an async generator: first item, items, latency to the end', async () => {
    const generate = instrument(async function* (count: number) {
      for (let i = 0; i < count; i++) yield i;
    }, { model });
    const seen: number[] = [];
    for await (const item of generate(4)) seen.push(item);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
    expect((await m.histogram(METRIC_TIME_TO_FIRST_ITEM.name, { [ATTR_MODEL_NAME]: model }))?.count).toBe(1);
    expect(await m.histogram(METRIC_STREAM_ITEMS.name, { [ATTR_MODEL_NAME]: model })).toMatchObject({ count: 1, sum: 4 });
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });

  it('counts a stream that fails midway as an error and passes the error on', async () => {
    const boom = new RangeError('stream broke');
    const generate = instrument(async function* () {
      yield 1;
      throw boom;
    }, { model });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of generate()) seen.push(item);
      })(),
    ).rejects.toBe(boom);
    expect(seen).toEqual([1]);
    expect(await m.value(METRIC_PREDICTIONS.name, failure())).toBe(1);
    expect(await m.value(METRIC_PREDICTION_ERRORS.name, { [ATTR_MODEL_NAME]: model, [ATTR_ERROR_TYPE]: 'RangeError' })).toBe(1);
  });

  it('counts a consumer that stops early as a success, once', async () => {
    let finalized = false;
    const generate = instrument(async function* () {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finalized = true;
      }
    }, { model });
    for await (const item of generate()) if (item === 2) break;
    expect(finalized).toBe(true);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
    expect(await m.histogram(METRIC_STREAM_ITEMS.name, { [ATTR_MODEL_NAME]: model })).toMatchObject({ count: 1, sum: 3 });
  });

  it('keeps the other methods of a stream object (an SDK stream) behind the proxy', async () => {
    class Stream {
      #items = ['a', 'b'];
      controller = 'abort-controller';
      toArray(): string[] {
        return [...this.#items];
      }
      async *[Symbol.asyncIterator](): AsyncGenerator<string> {
        yield* this.#items;
      }
    }
    const open = instrument(() => new Stream(), { model });
    const stream = open();
    expect(stream.controller).toBe('abort-controller');
    expect(stream.toArray()).toEqual(['a', 'b']);
    const seen: string[] = [];
    for await (const item of stream) seen.push(item);
    expect(seen).toEqual(['a', 'b']);
    expect(await m.histogram(METRIC_STREAM_ITEMS.name, { [ATTR_MODEL_NAME]: model })).toMatchObject({ count: 1, sum: 2 });
  });

  it('with streaming: true, measures a stream that an async function resolves to', async () => {
    async function* tokens() {
      yield 'hello';
      yield 'world';
    }
    const complete = instrument(async () => tokens(), { model, streaming: true });
    const seen: string[] = [];
    for await (const token of await complete()) seen.push(token);
    expect(seen).toEqual(['hello', 'world']);
    expect(await m.histogram(METRIC_STREAM_ITEMS.name, { [ATTR_MODEL_NAME]: model })).toMatchObject({ count: 1, sum: 2 });
  });
});

describe('instrument: without an SDK', () => {
  it('records nothing and changes nothing when no MeterProvider is registered', async () => {
    await m.shutdown();
    const predict = instrument((x: number) => x + 1, { model });
    expect(predict(1)).toBe(2);
    // Registering a provider afterwards is picked up on the next call.
    m = setupTestMetrics();
    expect(predict(2)).toBe(3);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
  });
});

describe('instrument: drift observer hooks', () => {
  it('sees the arguments before the call and the resolved result after, and never breaks the call', async () => {
    const seen: unknown[] = [];
    const predict = instrument(async (rows: number[][]) => rows.length, {
      model,
      version: '1',
      drift: {
        bind: () => ({
          input: (args) => seen.push(['input', args[0]]),
          output: (result) => {
            seen.push(['output', result]);
            throw new Error('observer bug');
          },
        }),
      },
    });
    expect(await predict([[1, 2]])).toBe(1);
    expect(seen).toEqual([['input', [[1, 2]]], ['output', 1]]);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
  });
});

describe('instrument: batch size extractors of any arity', () => {
  it('passes every argument to an extractor with a rest parameter or several parameters', async () => {
    const rest = instrument((..._rows: number[]) => 0, { model, batchSize: (...rows: number[]) => rows.length });
    const two = instrument((_a: number[], _b: number[]) => 0, { model: `${model}_two`, batchSize: (a: number[], b: number[]) => a.length + b.length });
    rest(1, 2, 3);
    two([1], [2, 3]);
    expect((await m.histogram(METRIC_PREDICTION_BATCH_SIZE.name, { [ATTR_MODEL_NAME]: model }))?.sum).toBe(3);
    expect((await m.histogram(METRIC_PREDICTION_BATCH_SIZE.name, { [ATTR_MODEL_NAME]: `${model}_two` }))?.sum).toBe(3);
  });
});

describe('instrument: attributesFrom and the run-time guard', () => {
  it('keeps declared keys, drops undeclared ones and counts them, replaces identifiers', async () => {
    const predict = instrument((request: { tier: string; user: string; segment: string }) => request.tier, {
      model,
      attributeKeys: ['tier', 'segment'],
      attributesFrom: (_self, [request]) => ({ tier: request.tier, segment: request.segment, user_id: request.user }),
    });
    predict({ tier: 'gold', user: 'u-1', segment: 'a' });
    predict({ tier: 'gold', user: 'u-2', segment: '550e8400-e29b-41d4-a716-446655440000' });
    const series = (await m.attributes(METRIC_PREDICTIONS.name)).filter((a) => a[ATTR_MODEL_NAME] === model);
    expect(series.map((a) => a.segment).sort()).toEqual(['_ID_', 'a']);
    expect(series.every((a) => !('user_id' in a))).toBe(true);
    expect(await m.value(METRIC_ATTRIBUTE_REJECTIONS.name, { [ATTR_ATTRIBUTE]: 'user_id', [ATTR_REASON]: 'undeclared' })).toBe(2);
    expect(await m.value(METRIC_ATTRIBUTE_REJECTIONS.name, { [ATTR_ATTRIBUTE]: 'segment', [ATTR_REASON]: 'identifier' })).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(2);
  });
});

describe('instrument: errorType option', () => {
  it('labels a failure from the error and the arguments, and the caller still gets the same error', async () => {
    const thrown = new Error('Got invalid dimensions for input: x');
    const run = instrument(async (_feeds: { x: number[] }) => {
      throw thrown;
    }, { model, errorType: (error, [feeds]) => (feeds.x.length !== 4 && error instanceof Error ? 'invalid_input' : undefined) });
    await expect(run({ x: [1] })).rejects.toBe(thrown);
    expect(await m.value(METRIC_PREDICTION_ERRORS.name, { [ATTR_MODEL_NAME]: model, [ATTR_ERROR_TYPE]: 'invalid_input' })).toBe(1);
  });

  it('falls back to the class name when the option returns nothing or throws', async () => {
    const fails = instrument(() => {
      throw new TypeError('x');
    }, { model, errorType: () => {
      throw new Error('labeller bug');
    } });
    expect(() => fails()).toThrow(TypeError);
    expect(await m.value(METRIC_PREDICTION_ERRORS.name, { [ATTR_MODEL_NAME]: model, [ATTR_ERROR_TYPE]: 'TypeError' })).toBe(1);
  });

  it('labels a stream that fails midway', async () => {
    const generate = instrument(async function* () {
      yield 1;
      throw new Error('shape');
    }, { model, errorType: () => 'invalid_input' });
    await expect((async () => {
      for await (const _ of generate()) void _;
    })()).rejects.toThrow('shape');
    expect(await m.value(METRIC_PREDICTION_ERRORS.name, { [ATTR_MODEL_NAME]: model, [ATTR_ERROR_TYPE]: 'invalid_input' })).toBe(1);
  });
});

describe('instrument: hostile thenables', () => {
  it('returns a thenable whose then() throws untouched, never calls it, and counts the failure when the caller does', async () => {
    const broken = new Error('broken thenable');
    let calls = 0;
    const odd = {
      then() {
        calls++;
        throw broken;
      },
    };
    const predict = instrument(() => odd, { model });
    expect(predict()).toBe(odd);
    expect(calls).toBe(0);
    await expect((async () => await (odd as unknown as Promise<unknown>))()).rejects.toBe(broken);
    expect(calls).toBe(1);
    expect(await m.value(METRIC_PREDICTION_ERRORS.name, { [ATTR_MODEL_NAME]: model, [ATTR_ERROR_TYPE]: 'Error' })).toBe(1);
  });
});

describe('instrument: what a returned object is read for, once', () => {
  /** An object whose `then`, `pipe`, `on` and async iterator are getters that count their reads. */
  const probed = (then: () => unknown, reads: Record<string, number>) => ({
    get then() {
      reads.then = (reads.then ?? 0) + 1;
      return then();
    },
    get pipe() {
      reads.pipe = (reads.pipe ?? 0) + 1;
      return undefined;
    },
    get on() {
      reads.on = (reads.on ?? 0) + 1;
      return undefined;
    },
    get [Symbol.asyncIterator]() {
      reads.asyncIterator = (reads.asyncIterator ?? 0) + 1;
      return undefined;
    },
  });

  it('a `then` getter runs once per call, and the thenable it returns is the one measured', async () => {
    const reads: Record<string, number> = {};
    let thenCalls = 0;
    const lazy = probed(
      () =>
        function (this: unknown, onFulfilled?: (value: unknown) => unknown) {
          thenCalls++;
          return Promise.resolve(0.9).then(onFulfilled);
        },
      reads,
    );
    const predict = instrument(() => lazy, { model, confidence: (r) => r as unknown as number });
    expect(predict()).toBe(lazy);
    expect(reads).toEqual({ then: 1 });
    expect(thenCalls).toBe(0);
    // The caller awaits it: the installed then() calls the one the getter gave, once.
    expect(await (lazy as unknown as Promise<number>)).toBe(0.9);
    expect(thenCalls).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
    expect((await m.histogram(METRIC_PREDICTION_CONFIDENCE.name, { [ATTR_MODEL_NAME]: model }))?.count).toBe(1);
  });

  it('a plain object is read once for each of then, pipe and its async iterator, and counted at return', async () => {
    const reads: Record<string, number> = {};
    const plain = probed(() => undefined, reads);
    const predict = instrument(() => plain, { model });
    expect(predict()).toBe(plain);
    // `on` is read only when `pipe` is a function (a Node.js stream has both).
    expect(reads).toEqual({ then: 1, pipe: 1, asyncIterator: 1 });
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });

  it('streaming: false reads only `then`', async () => {
    const reads: Record<string, number> = {};
    const plain = probed(() => undefined, reads);
    const predict = instrument(() => plain, { model, streaming: false });
    expect(predict()).toBe(plain);
    expect(reads).toEqual({ then: 1 });
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
  });

  it('getters that throw make a plain value: returned untouched, counted as a success', async () => {
    const results = [
      { get then(): never { throw new Error('then getter'); } },
      { get pipe(): never { throw new Error('pipe getter'); } },
      { get [Symbol.asyncIterator](): never { throw new Error('iterator getter'); } },
      (() => {
        const revoked = Proxy.revocable({}, {});
        revoked.revoke();
        return revoked.proxy;
      })(),
    ];
    for (const result of results) {
      const predict = instrument(() => result, { model });
      expect(predict()).toBe(result);
    }
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(results.length);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });

  it('whatever a sync function returns, the caller gets it and the call is counted once, with its confidence when it has one', async () => {
    const kinds = fc.oneof(
      fc.constantFrom<unknown>(undefined, null, 0, 'label', true, 10n, Symbol.for('s')),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 4 }), fc.integer()),
      fc.constant(() => 0.5),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(kinds, { minLength: 1, maxLength: 8 }), async (returned) => {
        const local = setupTestMetrics();
        const runtime = createRuntime();
        try {
          let i = 0;
          const predict = instrumentIn(runtime, () => returned[i++], { model, confidence: (r) => r as number });
          for (const expected of returned) expect(predict()).toBe(expected);
          expect(await local.value(METRIC_PREDICTIONS.name, success())).toBe(returned.length);
          expect(await local.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
          // A number or probability vector gives one value, a list of vectors one per row; anything else none.
          const expectedConfidences = returned.reduce<number>((n, r) => n + (typeof r === 'number' ? 1 : Array.isArray(r) ? (Array.isArray(r[0]) ? r.length : 1) : 0), 0);
          expect((await local.histogram(METRIC_PREDICTION_CONFIDENCE.name, { [ATTR_MODEL_NAME]: model }))?.count ?? 0).toBe(expectedConfidences);
        } finally {
          await local.shutdown();
        }
      }),
      { numRuns: 60 },
    );
  });
});

/** A lazy thenable like a Mongoose Query or a knex builder: then() runs the query, every time. */
class LazyQuery<T> {
  executions = 0;
  constructor(private readonly _result: () => T) {}
  where(): this {
    return this;
  }
  then<R1 = T, R2 = never>(onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    this.executions++;
    return new Promise<T>((resolve) => resolve(this._result())).then(onFulfilled, onRejected);
  }
}

/** A Promise subclass with methods of its own, like the openai SDK's APIPromise. */
class ApiPromise<T> extends Promise<T> {
  withResponse(): Promise<{ data: T; response: string }> {
    return Promise.resolve(this).then((data) => ({ data, response: 'raw' }));
  }
}

describe('instrument: lazy and non-native thenables', () => {
  it('never runs a lazy thenable itself: awaited once, it executes once, and the caller gets the same object', async () => {
    const query = new LazyQuery(() => ['row']);
    const find = instrument(() => query, { model });
    const returned = find();
    expect(returned).toBe(query);
    expect(query.executions).toBe(0);
    expect(await returned).toEqual(['row']);
    expect(query.executions).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });

  it('counts a lazy thenable that rejects when the caller awaits it', async () => {
    const boom = new RangeError('query failed');
    const query = new LazyQuery<string>(() => {
      throw boom;
    });
    const find = instrument(() => query, { model });
    await expect(find()).rejects.toBe(boom);
    expect(query.executions).toBe(1);
    expect(await m.value(METRIC_PREDICTION_ERRORS.name, { [ATTR_MODEL_NAME]: model, [ATTR_ERROR_TYPE]: 'RangeError' })).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });

  it('keeps a Promise subclass whole: same object, its own methods, instanceof', async () => {
    const sdk = instrument(() => ApiPromise.resolve(7) as ApiPromise<number>, { model });
    const returned = sdk();
    expect(returned).toBeInstanceOf(ApiPromise);
    expect(typeof returned.withResponse).toBe('function');
    expect(await returned.withResponse()).toEqual({ data: 7, response: 'raw' });
    expect(await returned).toBe(7);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
  });

  it('counts a frozen thenable as done when it is returned', async () => {
    const query = Object.freeze(new LazyQuery(() => 1));
    const find = instrument(() => query, { model });
    expect(find()).toBe(query);
    expect(query.executions).toBe(0);
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });
});

/**
 * Zeros to pass as extra arguments: each takes one 8-byte stack slot, so a
 * recursion started under `shifted(slots, ...)` overflows `slots * 8` bytes
 * earlier. Across 0..119 slots (960 bytes, over two levels of the
 * recursions below: a level is the wrapper's frame and the function's) the
 * overflow lands at every 8-byte step of a level: before the call, in
 * begin(), in the function, in settling a result or a failure, in our catch.
 */
const SLOT_RANGE = 120;
/** A sweep runs a few hundred overflows of ~3,000 frames each: seconds, more on a loaded machine. */
const SWEEP_TIMEOUT = 180_000;
const SLOTS = Array.from({ length: SLOT_RANGE }, (_, i) => new Array<number>(i).fill(0));
function callWithSlots(f: () => void): void {
  f();
}
function shifted(slots: number, f: () => void): void {
  Reflect.apply(callWithSlots, undefined, [f, ...SLOTS[slots]!]);
}

interface Counts {
  inFlight: number;
  successes: number;
  errors: number;
  dropped: number;
}

/** The model's counts on one path: through a collector (native), or the test's MeterProvider (OpenTelemetry API). */
function countsOn(path: 'native' | 'api'): () => Promise<Counts> {
  const collector = path === 'native' ? attachCollectorTo(rt) : undefined;
  return async () => {
    // One collection per reading.
    const collected: { name: string; points: { attributes: Attributes; value: unknown }[] }[] =
      collector === undefined
        ? (await m.collect()).map((c) => ({ name: c.descriptor.name, points: c.dataPoints }))
        : collector.collect([Math.floor(Date.now() / 1000), 0]).map((c) => ({ name: c.definition.name, points: [...c.points] }));
    const sum = (name: string, match: Record<string, string>): number =>
      (collected.find((c) => c.name === name)?.points ?? [])
        .filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v))
        .reduce((total, p) => total + (p.value as number), 0);
    return {
      inFlight: sum(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model }),
      successes: sum(METRIC_PREDICTIONS.name, success()),
      errors: sum(METRIC_PREDICTIONS.name, failure()),
      dropped: sum(METRIC_DROPPED_OBSERVATIONS.name, { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: DROP_REASONS.internal }),
    };
  };
}

/**
 * A recursive function as users write it, instrumented, that notes how deep
 * it went and whether every frame that saw an error saw the same one (plain
 * stores only: out of stack, a call in its catch would throw a new error).
 */
function recursion(kind: 'sync' | 'async' | 'catches', wrapper: 'plain' | 'general' = 'plain') {
  // A sync plan with `phases` is served by the general wrapper (see wrapFunction).
  const options = wrapper === 'general' ? { model, phases: () => undefined } : { model };
  const state = {
    depth: 0,
    first: undefined as unknown,
    mismatched: false,
    /** Before each run. */
    reset(): void {
      state.depth = 0;
      state.first = undefined;
      state.mismatched = false;
    },
  };
  let deep: (n: number) => unknown;
  if (kind === 'async') {
    deep = instrument(async (n: number): Promise<number> => {
      state.depth++;
      try {
        return n === 0 ? 0 : 1 + ((await deep(n - 1)) as number);
      } catch (error) {
        if (state.first === undefined) state.first = error;
        else if (error !== state.first) state.mismatched = true;
        throw error;
      }
    }, { model });
  } else {
    deep = instrument((n: number): number => {
      state.depth++;
      try {
        return n === 0 ? 0 : 1 + (deep(n - 1) as number);
      } catch (error) {
        if (state.first === undefined) state.first = error;
        else if (error !== state.first) state.mismatched = true;
        // 'catches': the function handles the overflow itself, deep down, and returns.
        if (kind === 'catches') return -1;
        throw error;
      }
    }, options);
  }
  return { deep, state };
}

describe.each(['native', 'api'] as const)('instrument: a stack overflow through a recursive function, from every depth (%s path)', (path) => {
  it.each(['plain', 'general'] as const)('sync (%s wrapper): the caller gets the very RangeError, in-flight is 0 after every overflow, and every call is counted once', { timeout: SWEEP_TIMEOUT }, async (wrapper) => {
    const read = countsOn(path);
    const { deep, state } = recursion('sync', wrapper);
    const depths: number[] = [];
    let before = await read();
    for (let slots = 0; slots < SLOT_RANGE; slots++) {
      state.reset();
      let caught: unknown;
      shifted(slots, () => {
        try {
          deep(1e6);
        } catch (error) {
          caught = error;
        }
      });
      expect(caught, `slots ${slots}`).toBeInstanceOf(RangeError);
      // Every frame of the function saw the one error the caller got: no frame of ours swapped it.
      expect(state.mismatched, `slots ${slots}`).toBe(false);
      expect(caught, `slots ${slots}`).toBe(state.first);
      const after = await read();
      expect(after.inFlight, `slots ${slots}`).toBe(0);
      // Each call the function made (and at most one more, whose function
      // never started) is counted once: as an error, or as a call our
      // bookkeeping could not finish out of stack (dropped, internal_error).
      const counted = after.errors - before.errors + after.dropped - before.dropped;
      expect(counted, `slots ${slots}`).toBeGreaterThanOrEqual(state.depth);
      expect(counted, `slots ${slots}`).toBeLessThanOrEqual(state.depth + 1);
      expect(after.successes).toBe(0);
      depths.push(state.depth);
      before = after;
    }
    // The sweep spanned more than one whole level, so it hit every offset of one.
    expect(Math.max(...depths) - Math.min(...depths)).toBeGreaterThanOrEqual(2);
  });

  it.each(['plain', 'general'] as const)('sync (%s wrapper), a recursion ending right at the limit: the value or the RangeError, never ours, and in-flight 0', { timeout: SWEEP_TIMEOUT }, async (wrapper) => {
    const read = countsOn(path);
    const { deep, state } = recursion('sync', wrapper);
    const outcomes = new Set<string>();
    let before = await read();
    /** The depth an overflow reaches from this offset (it changes as the code warms up and its frames shrink). */
    const limitAt = async (slots: number): Promise<number> => {
      state.reset();
      shifted(slots, () => {
        try {
          deep(1e6);
        } catch {
          // Only the depth is wanted.
        }
      });
      before = await read();
      return state.depth;
    };
    let limit = await limitAt(0);
    let overflowed = true;
    for (let slots = 0; slots < SLOT_RANGE; slots++) {
      // Measured again when the previous offset did not overflow at limit + 1.
      if (!overflowed) limit = await limitAt(slots);
      overflowed = false;
      // Just under the limit the last frames succeed, or succeed while our
      // settling of the result runs out of stack; just over, they overflow.
      for (const n of [limit - 2, limit - 1, limit + 1]) {
        state.reset();
        let value: unknown;
        let caught: unknown;
        shifted(slots, () => {
          try {
            value = deep(n);
          } catch (error) {
            caught = error;
          }
        });
        const after = await read();
        if (caught === undefined) {
          expect(value, `slots ${slots}, n ${n}`).toBe(n);
          // A success whose settling ran out of stack is counted as dropped (internal_error).
          outcomes.add(after.dropped > before.dropped ? 'value, settled out of stack' : 'value');
        } else {
          expect(caught, `slots ${slots}, n ${n}`).toBeInstanceOf(RangeError);
          expect(caught).toBe(state.first);
          expect(state.mismatched).toBe(false);
          outcomes.add('overflow');
          overflowed = true;
          limit = state.depth;
        }
        expect(after.inFlight, `slots ${slots}, n ${n}`).toBe(0);
        const counted = after.successes - before.successes + after.errors - before.errors + after.dropped - before.dropped;
        expect(counted, `slots ${slots}, n ${n}`).toBeGreaterThanOrEqual(state.depth);
        expect(counted, `slots ${slots}, n ${n}`).toBeLessThanOrEqual(state.depth + 1);
        before = after;
      }
    }
    // The sweep met both last frames: a call that overflowed, and a success
    // whose settling ran out of stack (a plain success too, where the path's
    // settling needs less stack than two levels hold).
    expect(outcomes).toContain('overflow');
    expect(outcomes).toContain('value, settled out of stack');
  });

  it('sync, a function that catches the overflow deep down itself: in-flight 0, and every call counted by the next collection', async () => {
    const read = countsOn(path);
    const { deep, state } = recursion('catches');
    let before = await read();
    for (let slots = 0; slots < SLOT_RANGE; slots += 7) {
      state.reset();
      let value: unknown;
      shifted(slots, () => {
        value = deep(1e6);
      });
      expect(typeof value).toBe('number');
      const after = await read();
      expect(after.inFlight, `slots ${slots}`).toBe(0);
      const counted = after.successes - before.successes + after.errors - before.errors + after.dropped - before.dropped;
      expect(counted, `slots ${slots}`).toBeGreaterThanOrEqual(state.depth);
      expect(counted, `slots ${slots}`).toBeLessThanOrEqual(state.depth + 1);
      before = after;
    }
  });

  it('async: the caller gets the very RangeError as the rejection, and in-flight is 0 once it settled', { timeout: SWEEP_TIMEOUT }, async () => {
    const read = countsOn(path);
    const { deep, state } = recursion('async');
    let before = await read();
    for (let slots = 0; slots < SLOT_RANGE; slots += 3) {
      state.reset();
      let settled: Promise<unknown> | undefined;
      let thrown: unknown;
      shifted(slots, () => {
        try {
          settled = (deep(1e6) as Promise<unknown>).then(
            () => undefined,
            (error: unknown) => error,
          );
        } catch (error) {
          thrown = error;
        }
      });
      expect(thrown, `slots ${slots}`).toBeUndefined();
      const caught = await settled;
      expect(caught, `slots ${slots}`).toBeInstanceOf(RangeError);
      expect(state.mismatched, `slots ${slots}`).toBe(false);
      expect(caught, `slots ${slots}`).toBe(state.first);
      const after = await read();
      expect(after.inFlight, `slots ${slots}`).toBe(0);
      const counted = after.errors - before.errors + after.dropped - before.dropped;
      expect(counted, `slots ${slots}`).toBeGreaterThanOrEqual(state.depth);
      expect(counted, `slots ${slots}`).toBeLessThanOrEqual(state.depth + 1);
      before = after;
    }
  });
});

/** Values a hostile callback returns or a hostile record holds. */
function hostileValue(kind: number): unknown {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const trap = () => {
    throw new Error('trap');
  };
  switch (kind) {
    case 0:
      return revoked.proxy;
    case 1:
      return new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, has: trap, getPrototypeOf: trap });
    case 2:
      return Object.defineProperty({}, 'tier', { enumerable: true, get: trap });
    case 3:
      return { [Symbol.toPrimitive]: trap, toString: trap, valueOf: trap };
    case 4:
      return Number.NaN;
    case 5:
      return Symbol('s');
    case 6:
      return { length: -1, 0: 'x' };
    default:
      return undefined;
  }
}

/** A callback that throws, or returns one of the hostile values. */
const hostileCallback = fc.integer({ min: -1, max: 7 }).map((kind) => (): unknown => {
  if (kind === -1) throw new Error('callback bug');
  return hostileValue(kind);
});

describe('instrument: hostile option callbacks never reach the caller', () => {
  it('attributesFrom returning a throwing getter, a throwing Proxy or a revoked Proxy: counted, dropped, diag', async () => {
    for (const kind of [0, 1, 2]) {
      const predict = instrument((x: number) => x + 1, { model, attributeKeys: ['tier'], attributesFrom: () => hostileValue(kind) as Record<string, unknown> });
      expect(predict(1)).toBe(2);
    }
    expect(await m.value(METRIC_PREDICTIONS.name, success())).toBe(3);
    expect(await m.value(METRIC_DROPPED_OBSERVATIONS.name, { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: DROP_REASONS.attribute })).toBe(3);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });

  it('property: any mix of hostile callbacks, the caller gets exactly the original value or error', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          version: hostileCallback,
          confidence: hostileCallback,
          batchSize: hostileCallback,
          errorType: hostileCallback,
          attributesFrom: hostileCallback,
          attribute: hostileCallback,
          versionNumber: hostileCallback,
          driftBind: hostileCallback,
          driftInput: hostileCallback,
          driftOutput: hostileCallback,
          outcome: fc.constantFrom('return', 'throw', 'resolve', 'reject'),
        }),
        async (c) => {
          const name = `${model}_p${++runs}`;
          const value = { result: runs };
          const error = new Error(`failure ${runs}`);
          const predict = instrument(
            (_x: number): unknown => {
              if (c.outcome === 'return') return value;
              if (c.outcome === 'throw') throw error;
              return c.outcome === 'resolve' ? Promise.resolve(value) : Promise.reject(error);
            },
            {
              model: name,
              version: c.version as () => string,
              versionNumber: c.versionNumber as () => number,
              confidence: c.confidence as () => number,
              batchSize: c.batchSize as () => number,
              errorType: c.errorType as () => string,
              attributes: { region: c.attribute as () => string },
              attributeKeys: ['tier'],
              attributesFrom: c.attributesFrom as () => Record<string, unknown>,
              drift: {
                bind: () => {
                  const bound = c.driftBind();
                  return bound === undefined ? { input: c.driftInput, output: c.driftOutput } : (bound as object);
                },
              },
            },
          );
          let got: unknown;
          let caught: unknown;
          try {
            got = await predict(1);
          } catch (err) {
            caught = err;
          }
          if (c.outcome === 'return' || c.outcome === 'resolve') {
            expect(caught).toBeUndefined();
            expect(got).toBe(value);
          } else {
            expect(caught).toBe(error);
          }
          expect(await m.value(METRIC_PREDICTIONS.name, { [ATTR_MODEL_NAME]: name })).toBe(1);
          expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: name })).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
