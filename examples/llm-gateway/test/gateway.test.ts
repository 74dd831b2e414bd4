import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, parseStrict, type StrictExposition } from '@inferometer/testing';
import { startStandin, type Standin } from '../../../test/support/llm-standin.js';

// The gateway as `npm start` runs it, in front of the stand-in OpenAI server,
// called by the real openai client; the counts are read from its /metrics.
const SERVER = fileURLToPath(new URL('../server.mjs', import.meta.url));
const SCRIPT = { inputTokens: 20, cachedTokens: 8, outputTokens: 6, firstTokenMs: 40, interTokenMs: 5 };

let standin: Standin;
let gateway: ChildProcess;
let log = '';
let client: OpenAI;
let metricsUrl: string;

beforeAll(async () => {
  standin = await startStandin(SCRIPT);
  const [port, metricsPort] = [await freePort(), await freePort()];
  gateway = spawn(process.execPath, [SERVER], {
    env: { ...process.env, UPSTREAM_URL: `${standin.url}/v1`, PORT: String(port), OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', MODEL_NAME: 'gateway' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  gateway.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  await eventually('the gateway to listen', async () => {
    if (gateway.exitCode !== null) throw new Error(`gateway exited with ${gateway.exitCode}: ${log}`);
    return (await fetch(metricsUrl).catch(() => undefined))?.ok === true && (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined))?.status === 404 ? true : undefined;
  });
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'test', maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  if (gateway !== undefined && gateway.exitCode === null) {
    const exited = new Promise((resolve) => gateway.once('exit', resolve));
    gateway.kill('SIGTERM');
    await exited;
  }
  await standin?.stop();
});

async function scrape(): Promise<StrictExposition> {
  return parseStrict(await (await fetch(metricsUrl)).text());
}
const value = (e: StrictExposition, name: string, labels: Record<string, string>): number | undefined =>
  e.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('examples/llm-gateway', () => {
  it('forwards completions and streams, passes the stream through as server-sent events, and counts tokens and finish reasons', async () => {
    const answer = await client.chat.completions.create({ model: 'standin-1', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]!.finish_reason).toBe('stop');
    expect(answer.usage?.completion_tokens).toBe(SCRIPT.outputTokens);

    // Without include_usage the client gets no usage chunk, but the gateway still counts the tokens.
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of await client.chat.completions.create({ model: 'standin-1', messages: [{ role: 'user', content: 'hi' }], stream: true })) chunks.push(chunk);
    expect(chunks.filter((c) => c.choices[0]?.delta.content === 'x')).toHaveLength(SCRIPT.outputTokens);
    expect(chunks.some((c) => c.usage)).toBe(false);
    const withUsage: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of await client.chat.completions.create({ model: 'standin-1', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })) withUsage.push(chunk);
    expect(withUsage.at(-1)?.usage?.prompt_tokens).toBe(SCRIPT.inputTokens);

    // The upstream's 429 reaches the client as a 429.
    await expect(client.chat.completions.create({ model: 'fail-429', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 429 });

    const series = { model_name: 'gateway' };
    const e = await eventually('the scrape to show 4 calls', async () => {
      const scraped = await scrape();
      return value(scraped, 'ml_prediction_finish_reasons_total', { ...series, finish_reason: 'error' }) === 1 ? scraped : undefined;
    });
    expect(value(e, 'ml_prediction_finish_reasons_total', { ...series, finish_reason: 'stop' })).toBe(3);
    expect(value(e, 'ml_predictions_total', { ...series, status: 'success' })).toBe(3);
    expect(value(e, 'ml_prediction_tokens_sum', { ...series, token_type: 'output' })).toBe(3 * SCRIPT.outputTokens);
    expect(value(e, 'ml_prediction_tokens_sum', { ...series, token_type: 'input' })).toBe(3 * SCRIPT.inputTokens);
    expect(value(e, 'ml_prediction_tokens_sum', { ...series, token_type: 'cached_input' })).toBe(3 * SCRIPT.cachedTokens);
    expect(value(e, 'ml_prediction_time_to_first_item_seconds_count', series)).toBe(2);
    expect(value(e, 'ml_prediction_time_to_first_item_seconds_sum', series)).toBeGreaterThanOrEqual(2 * (SCRIPT.firstTokenMs / 1000) * 0.9);
    expect(value(e, 'ml_prediction_time_per_output_token_seconds_count', series)).toBe(2);
  }, 60_000);

  it('counts a client that drops a stream as cancelled, and aborts the upstream call', async () => {
    const before = value(await scrape(), 'ml_prediction_finish_reasons_total', { model_name: 'gateway', finish_reason: 'cancelled' }) ?? 0;
    const controller = new AbortController();
    // The stand-in holds the stream open after the first token until its
    // client goes away: it can only end by the gateway aborting it.
    const stream = await client.chat.completions.create({ model: 'hold-after-first', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal: controller.signal });
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      controller.abort();
      break;
    }
    await eventually('the cancelled call in the scrape', async () => (value(await scrape(), 'ml_prediction_finish_reasons_total', { model_name: 'gateway', finish_reason: 'cancelled' }) === before + 1 ? true : undefined));
    await eventually('the stand-in to see the upstream call go away', () => Promise.resolve(standin.disconnects > 0 ? true : undefined));
  }, 60_000);
});
