import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for an LLM provider: speaks the documented wire formats of
 * OpenAI Chat Completions (https://platform.openai.com/docs/api-reference/chat,
 * JSON and server-sent events with `stream_options.include_usage`) and
 * Anthropic Messages (https://docs.anthropic.com/en/docs/build-with-claude/streaming),
 * with scripted delays and usage, so the real SDK clients can be driven end
 * to end on loopback. What it does is chosen by the request's `model`:
 * `fail-429` and `fail-500` answer with that status and the provider's error
 * body; `hold-after-first` streams its first token and then holds the stream
 * open until the client goes away (at most a minute), so a test of an
 * aborted call does not race the end of a stream; anything else answers
 * normally.
 */
export interface StandinScript {
  /** Prompt tokens reported in usage. */
  readonly inputTokens: number;
  /** Cached prompt tokens reported in usage. */
  readonly cachedTokens: number;
  /** Output tokens: one streamed chunk per token. */
  readonly outputTokens: number;
  /** Delay before the first token, ms. */
  readonly firstTokenMs: number;
  /** Delay between tokens, ms. */
  readonly interTokenMs: number;
}

export interface Standin {
  readonly url: string;
  /** Requests the stand-in saw whose client went away before the end. */
  readonly disconnects: number;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function body(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

function json(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

export async function startStandin(script: StandinScript): Promise<Standin> {
  let disconnects = 0;
  const server = createServer((request, response) => {
    void (async () => {
      const params = await body(request);
      const model = String(params.model);
      const anthropic = request.url === '/v1/messages';
      if (model === 'fail-429' || model === 'fail-500') {
        const status = model === 'fail-429' ? 429 : 500;
        if (anthropic) json(response, status, { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message: 'scripted' } });
        else json(response, status, { error: { message: 'scripted', type: status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } });
        return;
      }
      let gone = false;
      let closed!: () => void;
      const clientGone = new Promise<void>((resolve) => (closed = resolve));
      response.on('close', () => {
        if (!response.writableFinished) {
          gone = true;
          disconnects++;
        }
        closed();
      });
      const stream = params.stream === true;
      if (!stream) {
        await sleep(script.firstTokenMs);
        if (anthropic) {
          json(response, 200, {
            id: 'msg_standin', type: 'message', role: 'assistant', model,
            content: [{ type: 'text', text: 'x'.repeat(script.outputTokens) }],
            stop_reason: 'end_turn', stop_sequence: null,
            usage: { input_tokens: script.inputTokens - script.cachedTokens, cache_read_input_tokens: script.cachedTokens, cache_creation_input_tokens: 0, output_tokens: script.outputTokens },
          });
        } else {
          json(response, 200, {
            id: 'chatcmpl-standin', object: 'chat.completion', created: 1, model,
            choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(script.outputTokens) }, finish_reason: 'stop' }],
            usage: { prompt_tokens: script.inputTokens, completion_tokens: script.outputTokens, total_tokens: script.inputTokens + script.outputTokens, prompt_tokens_details: { cached_tokens: script.cachedTokens } },
          });
        }
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (event: string | undefined, data: unknown): void => {
        if (!gone) response.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
      };
      await sleep(script.firstTokenMs);
      if (anthropic) {
        send('message_start', { type: 'message_start', message: { id: 'msg_standin', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: script.inputTokens - script.cachedTokens, cache_read_input_tokens: script.cachedTokens, cache_creation_input_tokens: 0, output_tokens: 1 } } });
        send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
      }
      for (let i = 0; i < script.outputTokens && !gone; i++) {
        if (i === 1 && model === 'hold-after-first') await Promise.race([clientGone, sleep(60_000)]);
        if (i > 0) await sleep(script.interTokenMs);
        if (anthropic) send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } });
        else send(undefined, { id: 'chatcmpl-standin', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: i === 0 ? { role: 'assistant', content: 'x' } : { content: 'x' }, finish_reason: null }] });
      }
      if (anthropic) {
        send('content_block_stop', { type: 'content_block_stop', index: 0 });
        send('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: script.outputTokens } });
        send('message_stop', { type: 'message_stop' });
      } else {
        send(undefined, { id: 'chatcmpl-standin', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
        const options = params.stream_options as { include_usage?: boolean } | undefined;
        if (options?.include_usage === true) {
          send(undefined, { id: 'chatcmpl-standin', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: script.inputTokens, completion_tokens: script.outputTokens, total_tokens: script.inputTokens + script.outputTokens, prompt_tokens_details: { cached_tokens: script.cachedTokens } } });
        }
        send(undefined, '[DONE]');
      }
      if (!gone) response.end();
    })().catch((err: unknown) => {
      response.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get disconnects() {
      return disconnects;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
