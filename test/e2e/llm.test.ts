import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrument } from '@inferometer/core';
import {
  METRIC_FINISH_REASONS,
  METRIC_GEN_AI_OPERATION_DURATION,
  METRIC_GEN_AI_TIME_TO_FIRST_TOKEN,
  METRIC_GEN_AI_TOKEN_USAGE,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_TOKENS,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_TIME_PER_OUTPUT_TOKEN,
  METRIC_TIME_TO_FIRST_ITEM,
} from '@inferometer/core/catalog';
import { start, type InferometerHandle } from '@inferometer/node';
import { startStandin, type Standin } from '../support/llm-standin.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

// The real openai and @anthropic-ai/sdk clients against a loopback stand-in
// speaking their wire formats, instrumented with `llm`, scraped from start()'s
// endpoint by a real Prometheus. The stand-in sends the first token after
// FIRST_MS and the next ones INTER_MS apart.
const FIRST_MS = 150;
const INTER_MS = 40;
const OUTPUT = 10;
const INPUT = 37;
const CACHED = 5;

let standin: Standin;
let telemetry: InferometerHandle;
let prometheus: PrometheusServer;
let openai: OpenAI;
let anthropic: Anthropic;

type ChatParams = Parameters<OpenAI['chat']['completions']['create']>[0];
let chat: (params: ChatParams, options?: { signal?: AbortSignal }) => ReturnType<OpenAI['chat']['completions']['create']>;
type MessageParams = Parameters<Anthropic['messages']['create']>[0];
let messages: (params: MessageParams) => ReturnType<Anthropic['messages']['create']>;

beforeAll(async () => {
  standin = await startStandin({ inputTokens: INPUT, cachedTokens: CACHED, outputTokens: OUTPUT, firstTokenMs: FIRST_MS, interTokenMs: INTER_MS });
  telemetry = await start({ prometheus: { host: '127.0.0.1', port: 0 } });
  prometheus = await startPrometheus([{ job: 'llm', target: new URL(telemetry.metricsUrl!).host }]);
  openai = new OpenAI({ apiKey: 'test', baseURL: `${standin.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'test', baseURL: standin.url, maxRetries: 0 });
  chat = instrument((params: ChatParams, options?: { signal?: AbortSignal }) => openai.chat.completions.create(params, options), { model: 'gateway-openai', version: '1', llm: 'openai' });
  messages = instrument((params: MessageParams) => anthropic.messages.create(params), { model: 'gateway-anthropic', version: '1', llm: 'anthropic', genAiSemconv: 'both' });
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([prometheus?.stop(), telemetry?.shutdown(), standin?.stop()]);
});

const value = async (expr: string): Promise<number> => {
  const result = await prometheus.query(expr);
  return result.length === 0 ? Number.NaN : Number(result[0]!.value[1]);
};

describe('LLM calls through the real SDK clients, in a real Prometheus', () => {
  it('counts streamed and plain OpenAI chat completions: tokens, finish reason, time to first token, time per output token', async () => {
    const STREAMS = 3;
    // What the caller saw, summed over the streams: from the call to its
    // first chunk, and to the end of its loop.
    let seenFirst = 0;
    let seenTotal = 0;
    for (let i = 0; i < STREAMS; i++) {
      const t0 = performance.now();
      const stream = (await chat({ model: 'standin-1', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })) as AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
      let text = '';
      for await (const chunk of stream) {
        if (text === '') seenFirst += performance.now() - t0;
        text += chunk.choices[0]?.delta?.content ?? '';
      }
      seenTotal += performance.now() - t0;
      expect(text).toBe('x'.repeat(OUTPUT));
    }
    const plain = (await chat({ model: 'standin-1', messages: [{ role: 'user', content: 'hi' }] })) as OpenAI.Chat.Completions.ChatCompletion;
    expect(plain.usage?.completion_tokens).toBe(OUTPUT);
    const model = 'model_name="gateway-openai"';
    const calls = STREAMS + 1;
    expect(await prometheus.waitFor(`sum(${METRIC_PREDICTIONS.prometheusName}{${model},status="success"})`, (v) => v === calls)).toBe(calls);
    expect(await value(`sum(${METRIC_PREDICTION_TOKENS.prometheusName}_sum{${model},token_type="input"})`)).toBe(calls * INPUT);
    expect(await value(`sum(${METRIC_PREDICTION_TOKENS.prometheusName}_sum{${model},token_type="output"})`)).toBe(calls * OUTPUT);
    expect(await value(`sum(${METRIC_PREDICTION_TOKENS.prometheusName}_sum{${model},token_type="cached_input"})`)).toBe(calls * CACHED);
    expect(await value(`sum(${METRIC_FINISH_REASONS.prometheusName}{${model},finish_reason="stop"})`)).toBe(calls);
    // Timings against the stand-in's delays (it never sends sooner) and
    // against what the caller saw (the instrument's clock starts after the
    // caller's and stops before the caller's loop ends), not against a
    // tolerance a loaded machine can exceed. The time to first token is the
    // first chunk, not the whole stream: at most what the caller waited for
    // its first chunk. The time per output token excludes that first wait:
    // first token + (tokens - 1) x per token is the call's duration, at most
    // what the caller saw (counting the first wait twice would exceed it by
    // FIRST_MS a stream).
    const ttftSum = await value(`sum(${METRIC_TIME_TO_FIRST_ITEM.prometheusName}_sum{${model}})`);
    expect((ttftSum / STREAMS) * 1000).toBeGreaterThanOrEqual(FIRST_MS - 5);
    expect(ttftSum * 1000).toBeLessThanOrEqual(seenFirst);
    expect(await value(`sum(${METRIC_TIME_PER_OUTPUT_TOKEN.prometheusName}_count{${model}})`)).toBe(STREAMS);
    const tpotSum = await value(`sum(${METRIC_TIME_PER_OUTPUT_TOKEN.prometheusName}_sum{${model}})`);
    expect((tpotSum / STREAMS) * 1000).toBeGreaterThanOrEqual(INTER_MS - 5);
    expect((ttftSum + tpotSum * (OUTPUT - 1)) * 1000).toBeLessThanOrEqual(seenTotal);
  }, 60_000);

  it('counts a stream the client aborts as cancelled, and in-flight returns to 0', async () => {
    const controller = new AbortController();
    const stream = (await chat({ model: 'standin-1', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }, { signal: controller.signal })) as AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
    let seen = 0;
    // The openai client ends an aborted stream's iteration quietly (its
    // Stream swallows the AbortError), so the caller sees a short stream.
    for await (const chunk of stream) {
      void chunk;
      if (++seen === 3) controller.abort();
    }
    expect(seen).toBe(3);
    const model = 'model_name="gateway-openai"';
    expect(await prometheus.waitFor(`sum(${METRIC_PREDICTIONS.prometheusName}{${model},status="cancelled"})`, (v) => v === 1)).toBe(1);
    expect(await value(`sum(${METRIC_FINISH_REASONS.prometheusName}{${model},finish_reason="cancelled"})`)).toBe(1);
    expect(await value(`sum(${METRIC_PREDICTIONS_IN_FLIGHT.prometheusName}{${model}})`)).toBe(0);
  }, 30_000);

  it('counts server errors through the SDK error classes with their type', async () => {
    await expect(chat({ model: 'fail-429', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(messages({ model: 'fail-500', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    const errors = METRIC_PREDICTION_ERRORS.prometheusName;
    expect(await prometheus.waitFor(`sum(${errors}{model_name="gateway-openai",error_type="RateLimitError"})`, (v) => v === 1)).toBe(1);
    expect(await prometheus.waitFor(`sum(${errors}{model_name="gateway-anthropic",error_type="InternalServerError"})`, (v) => v === 1)).toBe(1);
    expect(await value(`sum(${METRIC_FINISH_REASONS.prometheusName}{model_name="gateway-openai",finish_reason="error"})`)).toBe(1);
  }, 30_000);

  it('reads Anthropic streams (message_start, message_delta) and names them after the GenAI conventions too', async () => {
    const t0 = performance.now();
    const stream = (await messages({ model: 'claude-standin', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], stream: true })) as AsyncIterable<Anthropic.Messages.RawMessageStreamEvent>;
    let text = '';
    let seenFirst: number | undefined;
    for await (const event of stream) {
      seenFirst ??= performance.now() - t0;
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('x'.repeat(OUTPUT));
    const model = 'model_name="gateway-anthropic"';
    expect(await prometheus.waitFor(`sum(${METRIC_PREDICTIONS.prometheusName}{${model},status="success"})`, (v) => v === 1)).toBe(1);
    expect(await value(`sum(${METRIC_PREDICTION_TOKENS.prometheusName}_sum{${model},token_type="input"})`)).toBe(INPUT);
    expect(await value(`sum(${METRIC_PREDICTION_TOKENS.prometheusName}_sum{${model},token_type="output"})`)).toBe(OUTPUT);
    expect(await value(`sum(${METRIC_FINISH_REASONS.prometheusName}{${model},finish_reason="stop"})`)).toBe(1);
    const semconv = `gen_ai_request_model="gateway-anthropic",gen_ai_provider_name="anthropic",gen_ai_response_model="claude-standin"`;
    expect(await prometheus.waitFor(`sum(${METRIC_GEN_AI_TOKEN_USAGE.prometheusName}_sum{${semconv},gen_ai_token_type="output"})`, (v) => v === OUTPUT)).toBe(OUTPUT);
    expect(await value(`sum(${METRIC_GEN_AI_TOKEN_USAGE.prometheusName}_sum{${semconv},gen_ai_token_type="input"})`)).toBe(INPUT);
    expect(await value(`sum(${METRIC_GEN_AI_OPERATION_DURATION.prometheusName}_count{${semconv}})`)).toBe(1);
    // As above: no sooner than the stand-in's delay, no later than the caller's first event.
    const ttft = await value(`sum(${METRIC_GEN_AI_TIME_TO_FIRST_TOKEN.prometheusName}_sum{${semconv}})`);
    expect(ttft * 1000).toBeGreaterThanOrEqual(FIRST_MS - 5);
    expect(ttft * 1000).toBeLessThanOrEqual(seenFirst!);
  }, 30_000);
});
