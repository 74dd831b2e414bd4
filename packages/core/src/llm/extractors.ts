import type { FinishReason } from '../catalog.js';

/**
 * What one generative call reported, as an extractor reads it from the
 * provider's result or stream. Every field is optional: only what the
 * provider reported is recorded.
 *
 * @example
 * ```ts
 * const usage: LlmUsage = { inputTokens: 12, outputTokens: 40, finishReason: 'stop', responseModel: 'gpt-4o-mini-2024-07-18' };
 * ```
 */
export interface LlmUsage {
  /** Input (prompt) tokens, cached ones included. */
  inputTokens?: number;
  /** Output (completion) tokens, reasoning tokens included. */
  outputTokens?: number;
  /** The part of the input served from the provider's prompt cache, where it reports it. */
  cachedInputTokens?: number;
  /** The provider's own finish reason (`stop`, `end_turn`, `tool_calls`, ...), mapped by {@link finishReasonOf}. */
  finishReason?: string;
  /** The model that answered, as the response names it. */
  responseModel?: string;
}

/**
 * Reads usage and finish reason from one provider's result shapes, with no
 * dependency on its SDK. `result` reads a complete (non-streamed) result;
 * `chunk` folds one streamed item into the call's running {@link LlmUsage}
 * (called for every item, so it must be cheap: a few property reads).
 *
 * @example
 * ```ts
 * const myServer: LlmExtractor = {
 *   provider: 'my-server',
 *   result: (r: { tokens_in: number; tokens_out: number }) => ({ inputTokens: r.tokens_in, outputTokens: r.tokens_out, finishReason: 'stop' }),
 *   chunk: (item: { done?: boolean; tokens_out?: number }, usage) => {
 *     if (item.done === true) { usage.outputTokens = item.tokens_out; usage.finishReason = 'stop'; }
 *   },
 * };
 * ```
 */
export interface LlmExtractor {
  /** `gen_ai.provider.name` under the semantic-convention naming (`openai`, `anthropic`, ...). */
  readonly provider?: string;
  /** `gen_ai.operation.name` under the semantic-convention naming; `chat` when absent. */
  readonly operation?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any: a custom extractor is typed on its own result shape
  result(result: any): LlmUsage | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any: a custom extractor is typed on its own chunk shape
  chunk?(item: any, usage: LlmUsage): void;
}

/** The built-in extractors' names, the values of the `llm` option. */
export const LLM_PROVIDERS = ['openai', 'anthropic', 'vercel-ai', 'ollama'] as const;
/** One of {@link LLM_PROVIDERS}. */
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

/**
 * Every provider's finish reasons onto the catalog's bounded set. OpenAI
 * `finish_reason` (https://platform.openai.com/docs/api-reference/chat/object)
 * and Responses `incomplete_details.reason`; Anthropic `stop_reason`
 * (https://docs.anthropic.com/en/api/messages); the Vercel AI SDK's
 * `finishReason` (https://ai-sdk.dev/docs/reference/ai-sdk-core/generate-text);
 * Ollama's `done_reason` (https://github.com/ollama/ollama/blob/main/docs/api.md).
 */
const FINISH_MAP: ReadonlyMap<string, FinishReason> = new Map<string, FinishReason>([
  ['stop', 'stop'],
  ['end_turn', 'stop'],
  ['stop_sequence', 'stop'],
  ['length', 'length'],
  ['max_tokens', 'length'],
  ['max_output_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['content_filter', 'content_filter'],
  ['content-filter', 'content_filter'],
  ['refusal', 'content_filter'],
  ['tool_calls', 'tool_call'],
  ['tool-calls', 'tool_call'],
  ['tool_use', 'tool_call'],
  ['tool_call', 'tool_call'],
  ['function_call', 'tool_call'],
  ['error', 'error'],
  ['cancelled', 'cancelled'],
  ['abort', 'cancelled'],
]);

/** A provider's finish reason as one of the catalog's {@link FinishReason}s; unknown ones are `other`. */
export function finishReasonOf(reason: string): FinishReason {
  return FINISH_MAP.get(reason) ?? 'other';
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object';
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** OpenAI `usage` of Chat Completions (`prompt_tokens`) or Responses (`input_tokens`). */
function openaiUsage(usage: unknown, into: LlmUsage): void {
  if (!isObject(usage)) return;
  const chat = usage.prompt_tokens !== undefined;
  const input = count(chat ? usage.prompt_tokens : usage.input_tokens);
  const output = count(chat ? usage.completion_tokens : usage.output_tokens);
  const details = chat ? usage.prompt_tokens_details : usage.input_tokens_details;
  if (input !== undefined) into.inputTokens = input;
  if (output !== undefined) into.outputTokens = output;
  if (isObject(details)) {
    const cached = count(details.cached_tokens);
    if (cached !== undefined) into.cachedInputTokens = cached;
  }
}

/** A Responses API `response` object (https://platform.openai.com/docs/api-reference/responses/object). */
function openaiResponse(response: Json, into: LlmUsage): void {
  openaiUsage(response.usage, into);
  const model = text(response.model);
  if (model !== undefined) into.responseModel = model;
  switch (response.status) {
    case 'completed':
      into.finishReason = Array.isArray(response.output) && response.output.some((item) => isObject(item) && item.type === 'function_call') ? 'tool_calls' : 'stop';
      break;
    case 'incomplete': {
      const details = response.incomplete_details;
      into.finishReason = (isObject(details) ? text(details.reason) : undefined) ?? 'incomplete';
      break;
    }
    case 'failed':
      into.finishReason = 'error';
      break;
    case 'cancelled':
      into.finishReason = 'cancelled';
      break;
  }
}

/**
 * OpenAI: Chat Completions (`chat.completion`, and the `chat.completion.chunk`
 * items of a stream, whose last chunk carries `usage` when the request sets
 * `stream_options: { include_usage: true }`) and Responses (`response`, and
 * the `response.completed` / `response.incomplete` / `response.failed`
 * events of a stream). OpenAI-compatible servers (vLLM, llama.cpp, LiteLLM)
 * answer in the same shapes.
 */
export const openaiExtractor: LlmExtractor = {
  provider: 'openai',
  operation: 'chat',
  result(result: unknown): LlmUsage | undefined {
    if (!isObject(result)) return undefined;
    const usage: LlmUsage = {};
    if (result.object === 'response') {
      openaiResponse(result, usage);
      return usage;
    }
    openaiUsage(result.usage, usage);
    const model = text(result.model);
    if (model !== undefined) usage.responseModel = model;
    const choices = result.choices;
    if (Array.isArray(choices) && isObject(choices[0])) {
      const reason = text(choices[0].finish_reason);
      if (reason !== undefined) usage.finishReason = reason;
    }
    return usage;
  },
  chunk(item: unknown, usage: LlmUsage): void {
    if (!isObject(item)) return;
    const type = item.type;
    if (typeof type === 'string') {
      // Responses stream events: the terminal ones carry the whole response.
      if ((type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') && isObject(item.response)) openaiResponse(item.response, usage);
      return;
    }
    if (usage.responseModel === undefined) {
      const model = text(item.model);
      if (model !== undefined) usage.responseModel = model;
    }
    const choices = item.choices;
    if (Array.isArray(choices) && choices.length > 0 && isObject(choices[0])) {
      const reason = text(choices[0].finish_reason);
      if (reason !== undefined) usage.finishReason = reason;
    }
    if (isObject(item.usage)) openaiUsage(item.usage, usage);
  },
};

/** Anthropic `usage`: `input_tokens` excludes the cache, so the cache reads and writes are added back (as the semantic conventions ask). */
function anthropicUsage(usage: unknown, into: LlmUsage): void {
  if (!isObject(usage)) return;
  const input = count(usage.input_tokens);
  const read = count(usage.cache_read_input_tokens);
  const written = count(usage.cache_creation_input_tokens);
  if (input !== undefined) into.inputTokens = input + (read ?? 0) + (written ?? 0);
  if (read !== undefined) into.cachedInputTokens = read;
  const output = count(usage.output_tokens);
  if (output !== undefined) into.outputTokens = output;
}

/**
 * Anthropic Messages: a `message` result, and the stream events
 * `message_start` (input usage, model) and `message_delta` (`stop_reason`,
 * cumulative `output_tokens`) (https://docs.anthropic.com/en/docs/build-with-claude/streaming).
 */
export const anthropicExtractor: LlmExtractor = {
  provider: 'anthropic',
  operation: 'chat',
  result(result: unknown): LlmUsage | undefined {
    if (!isObject(result)) return undefined;
    const usage: LlmUsage = {};
    anthropicUsage(result.usage, usage);
    const model = text(result.model);
    if (model !== undefined) usage.responseModel = model;
    const reason = text(result.stop_reason);
    if (reason !== undefined) usage.finishReason = reason;
    return usage;
  },
  chunk(item: unknown, usage: LlmUsage): void {
    if (!isObject(item)) return;
    if (item.type === 'message_start' && isObject(item.message)) {
      anthropicUsage(item.message.usage, usage);
      const model = text(item.message.model);
      if (model !== undefined) usage.responseModel = model;
    } else if (item.type === 'message_delta') {
      if (isObject(item.delta)) {
        const reason = text(item.delta.stop_reason);
        if (reason !== undefined) usage.finishReason = reason;
      }
      // Cumulative counts; input fields appear here too on some servers.
      if (isObject(item.usage)) {
        const delta = item.usage;
        const output = count(delta.output_tokens);
        if (output !== undefined) usage.outputTokens = output;
        if (delta.input_tokens !== undefined) anthropicUsage({ ...delta, output_tokens: output }, usage);
      }
    }
  },
};

/** The Vercel AI SDK's usage: v5 `inputTokens` / `outputTokens` / `cachedInputTokens`, v4 `promptTokens` / `completionTokens`. */
function vercelUsage(usage: unknown, into: LlmUsage): void {
  if (!isObject(usage)) return;
  const input = count(usage.inputTokens ?? usage.promptTokens);
  const output = count(usage.outputTokens ?? usage.completionTokens);
  const cached = count(usage.cachedInputTokens);
  if (input !== undefined) into.inputTokens = input;
  if (output !== undefined) into.outputTokens = output;
  if (cached !== undefined) into.cachedInputTokens = cached;
}

/**
 * The Vercel AI SDK: `generateText` / `generateObject` results (`totalUsage`
 * over every step when present, else `usage`; `finishReason`;
 * `response.modelId`), and the `finish` part of a `fullStream`.
 */
export const vercelAiExtractor: LlmExtractor = {
  provider: 'vercel-ai',
  operation: 'chat',
  result(result: unknown): LlmUsage | undefined {
    if (!isObject(result)) return undefined;
    const usage: LlmUsage = {};
    vercelUsage(isObject(result.totalUsage) ? result.totalUsage : result.usage, usage);
    const reason = text(result.finishReason);
    if (reason !== undefined) usage.finishReason = reason;
    if (isObject(result.response)) {
      const model = text(result.response.modelId);
      if (model !== undefined) usage.responseModel = model;
    }
    return usage;
  },
  chunk(item: unknown, usage: LlmUsage): void {
    if (!isObject(item) || item.type !== 'finish') return;
    vercelUsage(isObject(item.totalUsage) ? item.totalUsage : item.usage, usage);
    const reason = text(item.finishReason);
    if (reason !== undefined) usage.finishReason = reason;
  },
};

function ollamaUsage(item: Json, into: LlmUsage): void {
  const input = count(item.prompt_eval_count);
  const output = count(item.eval_count);
  if (input !== undefined) into.inputTokens = input;
  if (output !== undefined) into.outputTokens = output;
  const reason = text(item.done_reason);
  if (reason !== undefined) into.finishReason = reason;
  const model = text(item.model);
  if (model !== undefined) into.responseModel = model;
}

/**
 * Ollama's `/api/chat` and `/api/generate`: `prompt_eval_count`,
 * `eval_count` and `done_reason` on the result, or on the last item of a
 * stream (`done: true`).
 */
export const ollamaExtractor: LlmExtractor = {
  provider: 'ollama',
  operation: 'chat',
  result(result: unknown): LlmUsage | undefined {
    if (!isObject(result)) return undefined;
    const usage: LlmUsage = {};
    ollamaUsage(result, usage);
    return usage;
  },
  chunk(item: unknown, usage: LlmUsage): void {
    if (isObject(item) && item.done === true) ollamaUsage(item, usage);
  },
};

/** The built-in extractor of each `llm` value. */
export const LLM_EXTRACTORS: Readonly<Record<LlmProvider, LlmExtractor>> = {
  openai: openaiExtractor,
  anthropic: anthropicExtractor,
  'vercel-ai': vercelAiExtractor,
  ollama: ollamaExtractor,
};
