// The added cost per streamed item (a token chunk) of a generative call
// instrumented with `llm: 'openai'`: an async generator of N chat-completion
// chunks consumed by for-await, bare against instrumented, divided by N.
// The same run measures the hot-path figure (added cost per synchronous
// call) so the two sit side by side on the same machine state, and a
// stream instrumented without `llm` (time to first item and item count
// only) to tell the extractor's share from the stream wrapper's.
import { metrics } from '@opentelemetry/api';
import { instrument } from '@inferometer/core';
import { start } from '@inferometer/node';
import { interleavedMedians, report, row } from '../lib.mjs';

const ITEMS = 256;
// Chunks shaped as OpenAI's `chat.completion.chunk`
// (https://platform.openai.com/docs/api-reference/chat-streaming), made
// once: the figure is the instrumentation's, not the allocation of chunks.
const chunks = Array.from({ length: ITEMS }, (_, i) => ({
  id: 'chatcmpl-bench',
  object: 'chat.completion.chunk',
  model: 'bench-model',
  choices: [{ index: 0, delta: { content: `t${i}` }, finish_reason: i === ITEMS - 1 ? 'stop' : null }],
  ...(i === ITEMS - 1 ? { usage: { prompt_tokens: 32, completion_tokens: ITEMS, total_tokens: 32 + ITEMS } } : {}),
}));
async function* generate() {
  for (let i = 0; i < ITEMS; i++) yield chunks[i];
}

// A real pull endpoint on a free port, read once at the end to check that
// every timed stream was recorded.
const telemetry = await start({ prometheus: { host: '127.0.0.1', port: 0 } });
const generative = instrument(generate, { model: 'chat', version: '1.0.0', llm: 'openai' });
const plainStream = instrument(generate, { model: 'stream', version: '1.0.0' });
const probabilities = [0.1, 0.7, 0.2];
const predict = (x) => (x >= 0 ? probabilities : null);
const hot = instrument(predict, { model: 'iris', version: '1.0.0', confidence: (r) => r });

let sink = 0;
async function consume(stream) {
  for await (const chunk of stream) sink += chunk.choices.length;
}
const m = await interleavedMedians(
  {
    'stream bare': { batch: 200, fn: () => consume(generate()) },
    'stream instrumented, llm openai': { batch: 200, fn: () => consume(generative()) },
    'stream instrumented, no llm': { batch: 200, fn: () => consume(plainStream()) },
    'call bare': { batch: 200_000, fn: (i) => { sink += predict(i).length; } },
    'call instrumented': { batch: 50_000, fn: (i) => { sink += hot(i).length; } },
  },
  { rounds: 60, warmupRounds: 10 },
);
if (sink === 42) console.log('');

// The generative wrapper recorded every stream it was timed for, each with
// its finish reason and its output tokens.
const text = await (await fetch(telemetry.metricsUrl)).text();
const streams = 200 * (60 + 10);
const stops = Number(/^ml_prediction_finish_reasons_total\{[^}]*finish_reason="stop"[^}]*\} (\d+)/m.exec(text)?.[1]);
const outputTokens = Number(/^ml_prediction_tokens_sum\{[^}]*token_type="output"[^}]*\} (\d+)/m.exec(text)?.[1]);
if (stops !== streams || outputTokens !== streams * ITEMS) throw new Error(`recorded ${stops} finished streams and ${outputTokens} output tokens; expected ${streams} and ${streams * ITEMS}`);

const perItem = (m['stream instrumented, llm openai'] - m['stream bare']) / ITEMS;
const perItemPlain = (m['stream instrumented, no llm'] - m['stream bare']) / ITEMS;
const perCall = m['call instrumented'] - m['call bare'];
report('llm-stream', [
  row({
    target: '1 hot path',
    metric: 'added cost per streamed item, llm openai',
    unit: 'ns',
    ours: perItem,
    goal: '<= 250 ns per item (the hot-path goal per call)',
    met: perItem <= 250,
    note: `${ITEMS} chat.completion.chunk items per stream consumed by for-await; bare stream ${(m['stream bare'] / ITEMS).toFixed(0)} ns per item; instrumented without llm ${perItemPlain.toFixed(0)} ns per item added; per-call setup and end amortised in. Same run: added cost per synchronous call ${perCall.toFixed(0)} ns`,
  }),
]);
await telemetry.shutdown();
metrics.disable();
