import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ATTR_FINISH_REASON,
  ATTR_MODEL_NAME,
  ATTR_PHASE,
  ATTR_STATUS,
  ATTR_TOKEN_TYPE,
  METRIC_FINISH_REASONS,
  METRIC_PHASE_DURATION,
  METRIC_PREDICTION_TOKENS,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_TIME_PER_OUTPUT_TOKEN,
  METRIC_TIME_TO_FIRST_ITEM,
  STATUS_ERROR,
} from '../../src/catalog.js';
import { instrument as instrumentInProcess, instrumentIn } from '../../src/instrument.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';

// The generative series through the OpenTelemetry API path: no start(), a
// real SDK MeterProvider with an in-memory reader, a fresh runtime per test.
let m: TestMetrics;
let rt: Runtime;
const model = 'chat';
beforeEach(() => {
  m = setupTestMetrics();
  rt = createRuntime();
});
afterEach(async () => {
  await m.shutdown();
});
const instrument: typeof instrumentInProcess = (fn, options) => instrumentIn(rt, fn, options);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An OpenAI Chat Completions answer (https://platform.openai.com/docs/api-reference/chat/object). */
const completion = (finishReason: string) => ({
  object: 'chat.completion',
  model: 'gpt-test',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: finishReason }],
  usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 4 } },
});

const chunk = (content: string, finishReason: string | null = null) => ({ object: 'chat.completion.chunk', model: 'gpt-test', choices: [{ index: 0, delta: { content }, finish_reason: finishReason }] });

describe('generative calls through the OpenTelemetry API', () => {
  it('records tokens by type and the finish reason of a completion', async () => {
    const chat = instrument(async () => completion('length'), { model, llm: 'openai' });
    await chat();
    expect((await m.histogram(METRIC_PREDICTION_TOKENS.name, { [ATTR_TOKEN_TYPE]: 'input' }))?.sum).toBe(12);
    expect((await m.histogram(METRIC_PREDICTION_TOKENS.name, { [ATTR_TOKEN_TYPE]: 'output' }))?.sum).toBe(5);
    expect((await m.histogram(METRIC_PREDICTION_TOKENS.name, { [ATTR_TOKEN_TYPE]: 'cached_input' }))?.sum).toBe(4);
    expect(await m.value(METRIC_FINISH_REASONS.name, { [ATTR_MODEL_NAME]: model, [ATTR_FINISH_REASON]: 'length' })).toBe(1);
  });

  it('times the first token and the tokens after it in a stream', async () => {
    const usage = { object: 'chat.completion.chunk', model: 'gpt-test', choices: [], usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } };
    const stream = instrument(
      async function* () {
        await sleep(30);
        for (const word of ['a', 'b', 'c', 'd']) {
          yield chunk(word);
          await sleep(10);
        }
        yield chunk('', 'stop');
        yield usage;
      },
      { model, llm: 'openai' },
    );
    const seen: unknown[] = [];
    for await (const item of stream()) seen.push(item);
    expect(seen).toHaveLength(6);
    const first = await m.histogram(METRIC_TIME_TO_FIRST_ITEM.name, { [ATTR_MODEL_NAME]: model });
    expect(first?.count).toBe(1);
    expect(first!.sum).toBeGreaterThanOrEqual(0.025);
    // About 40 ms after the first token over the 4 output tokens after it.
    const perToken = await m.histogram(METRIC_TIME_PER_OUTPUT_TOKEN.name, { [ATTR_MODEL_NAME]: model });
    expect(perToken?.count).toBe(1);
    expect(perToken!.sum).toBeGreaterThanOrEqual(0.008);
    expect(perToken!.sum).toBeLessThan(first!.sum + 0.5);
    expect((await m.histogram(METRIC_PREDICTION_TOKENS.name, { [ATTR_TOKEN_TYPE]: 'output' }))?.sum).toBe(5);
    expect(await m.value(METRIC_FINISH_REASONS.name, { [ATTR_FINISH_REASON]: 'stop' })).toBe(1);
  });

  it('records finish_reason="error" when the function throws synchronously, and rethrows the same error', async () => {
    const boom = new TypeError('bad request');
    const chat = instrument(
      (): ReturnType<typeof completion> => {
        throw boom;
      },
      { model, llm: 'openai' },
    );
    let caught: unknown;
    try {
      chat();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(boom);
    expect(await m.value(METRIC_PREDICTIONS.name, { [ATTR_MODEL_NAME]: model, [ATTR_STATUS]: STATUS_ERROR })).toBe(1);
    expect(await m.value(METRIC_FINISH_REASONS.name, { [ATTR_MODEL_NAME]: model, [ATTR_FINISH_REASON]: 'error' })).toBe(1);
    expect(await m.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: model })).toBe(0);
  });

  it('records finish_reason="cancelled" when the function throws an abort synchronously', async () => {
    const chat = instrument(
      (): ReturnType<typeof completion> => {
        throw new DOMException('The operation was aborted.', 'AbortError');
      },
      { model, llm: 'openai' },
    );
    expect(() => chat()).toThrow('aborted');
    expect(await m.value(METRIC_FINISH_REASONS.name, { [ATTR_MODEL_NAME]: model, [ATTR_FINISH_REASON]: 'cancelled' })).toBe(1);
    expect(await m.value(METRIC_FINISH_REASONS.name, { [ATTR_MODEL_NAME]: model, [ATTR_FINISH_REASON]: 'error' })).toBeUndefined();
  });
});

describe('arrivedAt: the queue phase', () => {
  it('records the time from arrival to the call as phase="queue"', async () => {
    const predict = instrument((request: { receivedAt: number }) => request.receivedAt, { model, arrivedAt: (_self, [request]) => request.receivedAt });
    predict({ receivedAt: Date.now() - 250 });
    const queue = await m.histogram(METRIC_PHASE_DURATION.name, { [ATTR_MODEL_NAME]: model, [ATTR_PHASE]: 'queue' });
    expect(queue?.count).toBe(1);
    expect(queue!.sum).toBeGreaterThanOrEqual(0.25);
    expect(queue!.sum).toBeLessThan(1);
    expect(await m.attributes(METRIC_PHASE_DURATION.name)).toHaveLength(1);
  });

  it('records nothing when the arrival is unknown, in the future or not a number, and the call still returns', async () => {
    const arrivals: unknown[] = [undefined, Date.now() + 60_000, Number.NaN, 'yesterday'];
    const predict = instrument((i: number) => i * 2, { model, arrivedAt: (_self, [i]) => arrivals[i] as number | undefined });
    expect(arrivals.map((_, i) => predict(i))).toEqual([0, 2, 4, 6]);
    expect(await m.value(METRIC_PREDICTIONS.name, { [ATTR_MODEL_NAME]: model })).toBe(4);
    expect(await m.histogram(METRIC_PHASE_DURATION.name, { [ATTR_PHASE]: 'queue' })).toBeUndefined();
  });
});

describe('phases: the breakdown read from the result', () => {
  it('records each phase the result reports and leaves the others out', async () => {
    const result = { label: 'setosa', timings: { pre: 0.002, infer: 0.03 } };
    const predict = instrument(async () => result, {
      model,
      phases: (r) => ({ preprocess: r.timings.pre, inference: r.timings.infer }),
    });
    expect(await predict()).toBe(result);
    expect((await m.histogram(METRIC_PHASE_DURATION.name, { [ATTR_PHASE]: 'preprocess' }))?.sum).toBe(0.002);
    expect((await m.histogram(METRIC_PHASE_DURATION.name, { [ATTR_PHASE]: 'inference' }))?.sum).toBe(0.03);
    expect(await m.histogram(METRIC_PHASE_DURATION.name, { [ATTR_PHASE]: 'postprocess' })).toBeUndefined();
  });

  it('drops a throwing or nonsensical phases reader without touching the result', async () => {
    let calls = 0;
    const predict = instrument((n: number) => n + 1, {
      model,
      phases: (_r, [n]) => {
        calls += 1;
        if (n === 0) throw new Error('reader broke');
        return { inference: n === 1 ? -1 : Number.NaN };
      },
    });
    expect([predict(0), predict(1), predict(2)]).toEqual([1, 2, 3]);
    expect(calls).toBe(3);
    expect(await m.value(METRIC_PREDICTIONS.name, { [ATTR_MODEL_NAME]: model })).toBe(3);
    expect(await m.histogram(METRIC_PHASE_DURATION.name, { [ATTR_PHASE]: 'inference' })).toBeUndefined();
  });
});
