// A gateway in front of any OpenAI-compatible server: POST
// /v1/chat/completions is forwarded to UPSTREAM_URL (a vLLM server, Ollama's
// /v1, llama.cpp, LiteLLM) with the openai client, instrumented with
// `llm: 'openai'`, and streams pass through as server-sent events. start()
// serves the metrics on :9464/metrics (OTEL_EXPORTER_PROMETHEUS_PORT).
import { createServer } from 'node:http';
import OpenAI from 'openai';
import { instrument } from '@inferometer/core';
import { start } from '@inferometer/node';

const upstream = process.env.UPSTREAM_URL;
if (upstream === undefined || !/^https?:\/\//.test(upstream)) {
  console.error(`UPSTREAM_URL=${JSON.stringify(upstream)}: expected the base URL of an OpenAI-compatible API, e.g. http://localhost:11434/v1 (Ollama) or http://localhost:8000/v1 (vLLM)`);
  process.exit(2);
}
const port = Number(process.env.PORT ?? 8080);
const model = process.env.MODEL_NAME ?? 'llm-gateway';

const telemetry = await start();
// Local servers take any key; a hosted one reads OPENAI_API_KEY.
const client = new OpenAI({ baseURL: upstream, apiKey: process.env.OPENAI_API_KEY ?? 'unused', maxRetries: 0 });
const complete = instrument((params, signal) => client.chat.completions.create(params, { signal }), { model, llm: 'openai' });

async function readJson(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(response, status, value) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

async function chat(request, response) {
  let params;
  try {
    params = await readJson(request);
  } catch {
    return sendJson(response, 400, { error: { message: 'request body is not JSON', type: 'invalid_request_error' } });
  }
  // A client that goes away aborts the upstream call: counted as cancelled.
  const aborter = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) aborter.abort();
  });
  const streaming = params.stream === true;
  // Ask the upstream for the usage chunk so tokens are counted; pass it on
  // only to a client that asked for it itself.
  const clientWantsUsage = params.stream_options?.include_usage === true;
  const upstreamParams = streaming ? { ...params, stream_options: { ...params.stream_options, include_usage: true } } : params;
  try {
    const result = await complete(upstreamParams, aborter.signal);
    if (!streaming) return sendJson(response, 200, result);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    for await (const chunk of result) {
      if (!clientWantsUsage && chunk.choices.length === 0 && chunk.usage) continue;
      response.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    response.end('data: [DONE]\n\n');
  } catch (err) {
    if (aborter.signal.aborted) return;
    if (response.headersSent) return response.destroy();
    // The upstream's own status and error body (a 429 stays a 429).
    if (err instanceof OpenAI.APIError && err.status !== undefined) return sendJson(response, err.status, err.error ?? { error: { message: err.message } });
    sendJson(response, 502, { error: { message: `upstream: ${err.message}`, type: 'bad_gateway' } });
  }
}

const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/v1/chat/completions') return void chat(request, response);
  sendJson(response, 404, { error: { message: 'only POST /v1/chat/completions', type: 'not_found' } });
});
server.listen(port, () => console.log(`llm gateway on :${server.address().port}, upstream ${upstream}, metrics at ${telemetry.metricsUrl ?? '(no pull endpoint)'}`));
// SIGTERM and SIGINT: start() flushes the metrics and ends the process.
