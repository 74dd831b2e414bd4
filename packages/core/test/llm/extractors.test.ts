import { describe, expect, it } from 'vitest';
import { anthropicExtractor, finishReasonOf, ollamaExtractor, openaiExtractor, vercelAiExtractor, type LlmExtractor, type LlmUsage } from '../../src/llm/extractors.js';

// Recorded shapes from the providers' documented examples (trimmed to the fields that matter).

function fold(extractor: LlmExtractor, items: unknown[]): LlmUsage {
  const usage: LlmUsage = {};
  for (const item of items) extractor.chunk!(item, usage);
  return usage;
}

describe('openai extractor', () => {
  it('reads a Chat Completions result (https://platform.openai.com/docs/api-reference/chat/object)', () => {
    const result = {
      id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG', object: 'chat.completion', created: 1741570283, model: 'gpt-4o-2024-08-06',
      choices: [{ index: 0, message: { role: 'assistant', content: 'The image shows...' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1117, completion_tokens: 46, total_tokens: 1163, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
    };
    expect(openaiExtractor.result(result)).toEqual({ inputTokens: 1117, outputTokens: 46, cachedInputTokens: 0, finishReason: 'stop', responseModel: 'gpt-4o-2024-08-06' });
  });

  it('folds a stream with include_usage: the finish chunk, then the usage chunk with empty choices', () => {
    const chunk = (delta: object, finish: string | null) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] });
    const usage = fold(openaiExtractor, [
      chunk({ role: 'assistant', content: '' }, null),
      chunk({ content: 'Hello' }, null),
      chunk({}, 'tool_calls'),
      { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21, prompt_tokens_details: { cached_tokens: 4 } } },
    ]);
    expect(usage).toEqual({ responseModel: 'gpt-4o-mini', finishReason: 'tool_calls', inputTokens: 9, outputTokens: 12, cachedInputTokens: 4 });
    expect(finishReasonOf(usage.finishReason!)).toBe('tool_call');
  });

  it('reads a Responses result and the response.completed / response.incomplete events', () => {
    const response = { id: 'resp_1', object: 'response', status: 'completed', model: 'gpt-4.1-2025-04-14', output: [{ type: 'message' }], usage: { input_tokens: 36, input_tokens_details: { cached_tokens: 0 }, output_tokens: 87, total_tokens: 123 } };
    expect(openaiExtractor.result(response)).toEqual({ inputTokens: 36, outputTokens: 87, cachedInputTokens: 0, finishReason: 'stop', responseModel: 'gpt-4.1-2025-04-14' });
    const incomplete = fold(openaiExtractor, [
      { type: 'response.created', response: { ...response, status: 'in_progress', usage: null } },
      { type: 'response.output_text.delta', delta: 'Hi' },
      { type: 'response.incomplete', response: { ...response, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } },
    ]);
    expect(incomplete.outputTokens).toBe(87);
    expect(finishReasonOf(incomplete.finishReason!)).toBe('length');
  });
});

describe('anthropic extractor', () => {
  it('reads a Message, adding the cache back into the input (https://docs.anthropic.com/en/api/messages)', () => {
    const message = { id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF', type: 'message', role: 'assistant', model: 'claude-sonnet-4-20250514', content: [{ type: 'text', text: 'Hi!' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 2095, output_tokens: 503, cache_read_input_tokens: 100, cache_creation_input_tokens: 5 } };
    expect(anthropicExtractor.result(message)).toEqual({ inputTokens: 2200, cachedInputTokens: 100, outputTokens: 503, finishReason: 'end_turn', responseModel: 'claude-sonnet-4-20250514' });
    expect(finishReasonOf('end_turn')).toBe('stop');
    expect(finishReasonOf('max_tokens')).toBe('length');
    expect(finishReasonOf('tool_use')).toBe('tool_call');
  });

  it('folds message_start and message_delta (cumulative output tokens)', () => {
    const usage = fold(anthropicExtractor, [
      { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-opus-4-1', content: [], stop_reason: null, usage: { input_tokens: 472, output_tokens: 2 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Okay' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 89 } },
      { type: 'message_stop' },
    ]);
    expect(usage).toEqual({ inputTokens: 472, outputTokens: 89, finishReason: 'max_tokens', responseModel: 'claude-opus-4-1' });
  });
});

describe('vercel-ai extractor', () => {
  it('reads generateText results of v5 (totalUsage) and v4 (promptTokens)', () => {
    expect(vercelAiExtractor.result({ text: 'hi', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 }, totalUsage: { inputTokens: 30, outputTokens: 12, totalTokens: 42, cachedInputTokens: 8 }, response: { modelId: 'gpt-4o' } })).toEqual({ inputTokens: 30, outputTokens: 12, cachedInputTokens: 8, finishReason: 'stop', responseModel: 'gpt-4o' });
    expect(vercelAiExtractor.result({ text: 'hi', finishReason: 'content-filter', usage: { promptTokens: 5, completionTokens: 7, totalTokens: 12 } })).toEqual({ inputTokens: 5, outputTokens: 7, finishReason: 'content-filter' });
    expect(finishReasonOf('content-filter')).toBe('content_filter');
  });

  it('folds the finish part of a fullStream', () => {
    const usage = fold(vercelAiExtractor, [{ type: 'text-delta', text: 'a' }, { type: 'finish', finishReason: 'length', totalUsage: { inputTokens: 3, outputTokens: 4 } }]);
    expect(usage).toEqual({ inputTokens: 3, outputTokens: 4, finishReason: 'length' });
  });
});

describe('ollama extractor', () => {
  it('reads /api/chat and the last streamed item (https://github.com/ollama/ollama/blob/main/docs/api.md)', () => {
    const last = { model: 'llama3.2', created_at: '2023-08-04T19:22:45.499127Z', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', total_duration: 4883583458, prompt_eval_count: 26, eval_count: 282 };
    expect(ollamaExtractor.result(last)).toEqual({ inputTokens: 26, outputTokens: 282, finishReason: 'stop', responseModel: 'llama3.2' });
    const usage = fold(ollamaExtractor, [{ model: 'llama3.2', message: { role: 'assistant', content: 'The' }, done: false }, last]);
    expect(usage.outputTokens).toBe(282);
    expect(finishReasonOf('load')).toBe('other');
  });
});

describe('malformed results', () => {
  it('read nothing rather than throw', () => {
    for (const extractor of [openaiExtractor, anthropicExtractor, vercelAiExtractor, ollamaExtractor]) {
      expect(extractor.result(null)).toBeUndefined();
      expect(extractor.result({ usage: { prompt_tokens: -1, input_tokens: 'x' } })?.inputTokens).toBeUndefined();
      expect(fold(extractor, [null, 1, 'x', { usage: NaN }])).toEqual({});
    }
  });
});
