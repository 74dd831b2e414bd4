import type { Attributes, Histogram } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_SEMCONV_ERROR_TYPE,
  INSTRUMENTATION_SCOPE,
  METRIC_GEN_AI_OPERATION_DURATION,
  METRIC_GEN_AI_TIME_PER_OUTPUT_TOKEN,
  METRIC_GEN_AI_TIME_TO_FIRST_TOKEN,
  METRIC_GEN_AI_TOKEN_USAGE,
  type FinishReason,
  type MetricDefinition,
} from '../catalog.js';
import { reportInternalError } from '../diagnostics.js';
import { ProviderBound } from '../global-provider.js';
import type { CallSeries, GenerationRecord, PredictionSeries } from '../recorder/recorder.js';
import type { Runtime } from '../runtime.js';
import { CallEnd, elapsed, now } from '../stream.js';
import { VERSION } from '../version.js';
import { finishReasonOf, LLM_EXTRACTORS, type LlmExtractor, type LlmUsage } from './extractors.js';

/** How generative figures are named: the catalog's `ml_*`, the GenAI semantic conventions', or both. @internal */
export type GenAiNaming = 'ml' | 'semconv' | 'both';

interface SemconvInstruments {
  readonly tokens: Histogram;
  readonly duration: Histogram;
  readonly firstToken: Histogram;
  readonly perOutputToken: Histogram;
}

function histogram(provider: { getMeter(name: string, version: string): { createHistogram(name: string, options: object): Histogram } }, metric: MetricDefinition): Histogram {
  return provider.getMeter(INSTRUMENTATION_SCOPE, VERSION).createHistogram(metric.name, {
    description: metric.description,
    unit: metric.unit,
    advice: { explicitBucketBoundaries: [...(metric.buckets ?? [])] },
  });
}

/**
 * The GenAI semantic-convention instruments
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/),
 * recorded through the OpenTelemetry API on whatever MeterProvider is global
 * (`start()` registers one), on both paths: their attributes are not the
 * catalog series' (no model_version; `gen_ai.response.model` per call), and a
 * generative call lasts milliseconds to minutes, so the API's cost per
 * record does not matter here.
 */
const semconvInstruments = new ProviderBound<SemconvInstruments>((provider) => ({
  tokens: histogram(provider, METRIC_GEN_AI_TOKEN_USAGE),
  duration: histogram(provider, METRIC_GEN_AI_OPERATION_DURATION),
  firstToken: histogram(provider, METRIC_GEN_AI_TIME_TO_FIRST_TOKEN),
  perOutputToken: histogram(provider, METRIC_GEN_AI_TIME_PER_OUTPUT_TOKEN),
}));

/** The attribute objects of one (plan, response model), reused for every call. */
interface SemconvLabels {
  readonly base: Attributes;
  readonly input: Attributes;
  readonly output: Attributes;
  readonly errors: Map<string, Attributes>;
}

/** Most distinct `error.type` values per response model (the catalog's per-series bound on error types). */
const MAX_SEMCONV_ERROR_TYPES = 32;

/**
 * Everything a wrapper with the `llm` option needs, decided at decoration:
 * the extractor, the naming, and the attribute objects of the semantic
 * conventions (their `gen_ai.response.model` values admitted through the
 * model's cardinality guard, like every other per-call value).
 *
 * @internal
 */
export class GenerationPlan {
  readonly ml: boolean;
  readonly semconv: boolean;
  private readonly _labels = new Map<string, SemconvLabels>();
  private _noResponse: SemconvLabels | undefined;

  constructor(
    readonly extractor: LlmExtractor,
    naming: GenAiNaming,
    private readonly _model: string,
    private readonly _runtime: Runtime,
    private readonly _dropped: () => void,
  ) {
    this.ml = naming !== 'semconv';
    this.semconv = naming !== 'ml';
    this.finishAlwaysReported = (Object.values(LLM_EXTRACTORS) as LlmExtractor[]).includes(extractor);
  }

  /** Whether every complete stream of this extractor's provider reports a finish reason (the built-ins). */
  readonly finishAlwaysReported: boolean;

  /** A non-streamed result: read it and record (never throws). */
  settled(call: PredictionSeries, seconds: number, result: unknown): void {
    let usage: LlmUsage | undefined;
    try {
      usage = this.extractor.result(result) ?? undefined;
    } catch (err) {
      reportInternalError('llm result extractor', err);
      this._dropped();
    }
    this.record(call, usage, seconds, undefined, undefined, undefined);
  }

  /** A failed call (not an abort): finish reason `error`. */
  failed(call: PredictionSeries, seconds: number, errorType: string): void {
    this.record(call, undefined, seconds, 'error', errorType, undefined);
  }

  /** An aborted or abandoned call: finish reason `cancelled` (no duration: the call did not end). */
  cancelled(call: PredictionSeries, usage: LlmUsage | undefined): void {
    this.record(call, usage, undefined, 'cancelled', undefined, undefined);
  }

  /**
   * Records one call's end. `seconds` is the call's duration (undefined for
   * a cancelled call); `stream` the first item's time and the end's, for a
   * successful stream.
   */
  record(
    call: PredictionSeries,
    usage: LlmUsage | undefined,
    seconds: number | undefined,
    forced: FinishReason | undefined,
    errorType: string | undefined,
    stream: { readonly firstItem: number; readonly items: number } | undefined,
  ): void {
    try {
      const input = usage?.inputTokens;
      const output = usage?.outputTokens;
      const raw = usage?.finishReason;
      const finish = forced ?? (raw !== undefined ? finishReasonOf(raw) : undefined);
      // Time per output token after the first (the semantic conventions'
      // definition): the time from the first item to the end, over the
      // output tokens after the first (the items when usage gives none).
      let perToken: number | undefined;
      if (stream !== undefined && seconds !== undefined) {
        const tokens = output ?? stream.items;
        if (tokens > 1) perToken = Math.max(0, seconds - stream.firstItem) / (tokens - 1);
      }
      if (this.ml) {
        const record: GenerationRecord = {
          inputTokens: input,
          outputTokens: output,
          cachedInputTokens: usage?.cachedInputTokens,
          finish,
          timePerOutputToken: perToken,
        };
        call.generation(record);
      } else if (finish !== undefined) {
        // The finish reasons have no semantic-convention instrument: kept under both namings.
        call.generation({ inputTokens: undefined, outputTokens: undefined, cachedInputTokens: undefined, finish, timePerOutputToken: undefined });
      }
      if (this.semconv) {
        const labels = this._labelsFor(usage?.responseModel);
        const instruments = semconvInstruments.get();
        if (input !== undefined) instruments.tokens.record(input, labels.input);
        if (output !== undefined) instruments.tokens.record(output, labels.output);
        if (seconds !== undefined) instruments.duration.record(seconds, errorType === undefined ? labels.base : this._errorLabels(labels, errorType));
        if (stream !== undefined && errorType === undefined && seconds !== undefined) instruments.firstToken.record(stream.firstItem, labels.base);
        if (perToken !== undefined) instruments.perOutputToken.record(perToken, labels.base);
      }
    } catch (err) {
      reportInternalError('llm record', err);
    }
  }

  private _labelsFor(responseModel: string | undefined): SemconvLabels {
    if (responseModel === undefined) return (this._noResponse ??= this._build(undefined));
    let found = this._labels.get(responseModel);
    if (found === undefined) {
      const admitted = this._runtime.guard.valueGuard(this._model, ATTR_GEN_AI_RESPONSE_MODEL, false).admit(responseModel);
      // A refused value maps to its marker: one entry per marker, bounded.
      const key = admitted ?? '';
      found = this._labels.get(key) ?? this._build(admitted);
      this._labels.set(key, found);
      if (admitted === responseModel) this._labels.set(responseModel, found);
    }
    return found;
  }

  private _build(responseModel: string | undefined): SemconvLabels {
    const base: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: this.extractor.operation ?? 'chat',
      [ATTR_GEN_AI_PROVIDER_NAME]: this.extractor.provider ?? '_OTHER',
      [ATTR_GEN_AI_REQUEST_MODEL]: this._model,
    };
    if (responseModel !== undefined) base[ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
    return { base, input: { ...base, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' }, output: { ...base, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' }, errors: new Map() };
  }

  private _errorLabels(labels: SemconvLabels, errorType: string): Attributes {
    let found = labels.errors.get(errorType);
    if (found === undefined) {
      const type = labels.errors.size < MAX_SEMCONV_ERROR_TYPES ? errorType : '_OTHER';
      found = labels.errors.get(type) ?? { ...labels.base, [ATTR_SEMCONV_ERROR_TYPE]: type };
      labels.errors.set(type, found);
    }
    return found;
  }
}

/**
 * Whether an error is the caller's own abort: `AbortError` (fetch, Node.js
 * `AbortSignal`, the Vercel AI SDK) or the `APIUserAbortError` class of the
 * openai and @anthropic-ai/sdk clients. Read from the error's `name` and
 * class, never its message.
 *
 * @internal
 */
export function isAbort(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  try {
    const name = (error as { name?: unknown }).name;
    if (name === 'AbortError') return true;
    const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
    return ctor === 'APIUserAbortError';
  } catch {
    return false;
  }
}

/**
 * The end of one streamed generative call: every item goes through the
 * extractor's `chunk`, and the end records usage, finish reason and time
 * per output token. A stream that fails with the caller's abort, or that the
 * consumer closes before the provider said why it finished, is a cancelled
 * call (`status="cancelled"`, `finish_reason="cancelled"`): the client went
 * away, as vLLM counts `finished_reason="abort"`.
 *
 * @internal
 */
export class GenerationCallEnd extends CallEnd {
  private readonly _usage: LlmUsage = {};
  private _firstItem = 0;

  constructor(
    call: CallSeries,
    start: number,
    private readonly _plan: GenerationPlan,
  ) {
    super(call, start, true);
  }

  override item(value?: unknown): void {
    if (this.items === 0) this._firstItem = now();
    super.item(value);
    const chunk = this._plan.extractor.chunk;
    if (chunk === undefined) return;
    try {
      chunk.call(this._plan.extractor, value, this._usage);
    } catch (err) {
      reportInternalError('llm chunk extractor', err);
    }
  }

  private _succeed(): void {
    if (this.ended) return;
    const seconds = elapsed(this.start);
    super.succeed();
    this._plan.record(this.call, this._usage, seconds, undefined, undefined, this.items > 0 ? { firstItem: (this._firstItem - this.start) / 1000, items: this.items } : undefined);
  }

  override fail(errorType: string): void {
    if (this.ended) return;
    const seconds = elapsed(this.start);
    super.fail(errorType);
    this._plan.record(this.call, this._usage, seconds, 'error', errorType, undefined);
  }

  override cancel(): void {
    if (this.ended) return;
    super.cancel();
    this._plan.cancelled(this.call, this._usage);
  }

  override failed(error: unknown, errorType: (error: unknown) => string): void {
    if (isAbort(error)) this.cancel();
    else this.fail(errorType(error));
  }

  override succeed(): void {
    // A built-in provider's stream always ends with its finish reason; one
    // that ends without it was cut short (the openai and Anthropic clients
    // end an aborted stream's iteration quietly): the client went away.
    if (!this.ended && this._usage.finishReason === undefined && this._plan.finishAlwaysReported) {
      this.cancel();
      return;
    }
    this._succeed();
  }

  override closed(): void {
    if (this._usage.finishReason === undefined) this.cancel();
    else this._succeed();
  }
}
