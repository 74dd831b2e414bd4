import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_FINISH_REASON,
  ATTR_PHASE,
  ATTR_TOKEN_TYPE,
  FINISH_REASONS,
  METRIC_PHASE_DURATION,
  METRIC_PREDICTION_TOKENS,
  METRIC_TIME_PER_OUTPUT_TOKEN,
  PHASES,
  TOKEN_TYPES,
  type FinishReason,
  type Phase,
} from '../../catalog.js';
import type { GenerationRecord } from '../recorder.js';
import type { DeltaTracker } from './delta.js';
import { boundariesOf, NativeHistogram, type HistogramSlab } from './histogram.js';
import { pushHistogram, pushSum, type CollectedPoint } from './points.js';
import type { HrTimeLike } from './series.js';

const TOKEN_BOUNDARIES = boundariesOf(METRIC_PREDICTION_TOKENS.buckets);
const TPOT_BOUNDARIES = boundariesOf(METRIC_TIME_PER_OUTPUT_TOKEN.buckets);
const PHASE_BOUNDARIES = boundariesOf(METRIC_PHASE_DURATION.buckets);

/** Index of each finish reason and phase in the fixed-size arrays below. */
const FINISH_INDEX = new Map<string, number>(FINISH_REASONS.map((reason, i) => [reason, i]));
const PHASE_INDEX = new Map<string, number>(PHASES.map((phase, i) => [phase, i]));

/**
 * The generative and phase state of one native series, created on the
 * series' first generative call or phase (a model that records neither pays
 * one `undefined` field in the series' lazily created extras). Histograms
 * inside are created on first use too: a model that reports phases but no
 * tokens holds no token histograms.
 *
 * @internal
 */
export class NativeGeneration {
  /** input, output, cached_input, in {@link TOKEN_TYPES} order. */
  readonly tokens: (NativeHistogram | undefined)[] = [undefined, undefined, undefined];
  timePerOutputToken: NativeHistogram | undefined;
  /** Counts in {@link FINISH_REASONS} order. */
  readonly finishes = new Float64Array(FINISH_REASONS.length);
  /** In {@link PHASES} order. */
  readonly phases: (NativeHistogram | undefined)[] = [undefined, undefined, undefined, undefined];

  constructor(private readonly _slab: HistogramSlab) {}

  record(record: GenerationRecord): void {
    if (record.inputTokens !== undefined) this._tokens(0, record.inputTokens);
    if (record.outputTokens !== undefined) this._tokens(1, record.outputTokens);
    if (record.cachedInputTokens !== undefined) this._tokens(2, record.cachedInputTokens);
    if (record.timePerOutputToken !== undefined) (this.timePerOutputToken ??= new NativeHistogram(TPOT_BOUNDARIES, this._slab)).record(record.timePerOutputToken);
    if (record.finish !== undefined) this.finish(record.finish);
  }

  finish(reason: FinishReason): void {
    const i = FINISH_INDEX.get(reason);
    if (i !== undefined) this.finishes[i]!++;
  }

  phase(phase: Phase, seconds: number): void {
    const i = PHASE_INDEX.get(phase);
    if (i === undefined) return;
    (this.phases[i] ??= new NativeHistogram(PHASE_BOUNDARIES, this._slab)).record(seconds);
  }

  private _tokens(i: number, count: number): void {
    (this.tokens[i] ??= new NativeHistogram(TOKEN_BOUNDARIES, this._slab)).record(count);
  }
}

/** The points of one collection for the generative metrics. @internal */
export class GenerationBatch {
  readonly tokens: CollectedPoint[] = [];
  readonly timePerOutputToken: CollectedPoint[] = [];
  readonly finishes: CollectedPoint[] = [];
  readonly phases: CollectedPoint[] = [];
}

/** Attribute objects per series, reused across collections (serializers cache label strings per object). */
interface GenerationLabels {
  readonly tokens: Attributes[];
  readonly finishes: Attributes[];
  readonly phases: Attributes[];
}
const labels = new WeakMap<object, GenerationLabels>();

function labelsOf(owner: object, attributes: Attributes): GenerationLabels {
  let found = labels.get(owner);
  if (found === undefined) {
    found = {
      tokens: TOKEN_TYPES.map((type) => ({ ...attributes, [ATTR_TOKEN_TYPE]: type })),
      finishes: FINISH_REASONS.map((reason) => ({ ...attributes, [ATTR_FINISH_REASON]: reason })),
      phases: PHASES.map((phase) => ({ ...attributes, [ATTR_PHASE]: phase })),
    };
    labels.set(owner, found);
  }
  return found;
}

/** Pushes one series' generative points into `batch`. @internal */
export function pushGeneration(
  batch: GenerationBatch,
  start: HrTimeLike,
  end: HrTimeLike,
  attributes: Attributes,
  state: NativeGeneration,
  tracker: DeltaTracker | undefined,
): void {
  const found = labelsOf(state, attributes);
  for (let i = 0; i < state.tokens.length; i++) {
    const histogram = state.tokens[i];
    if (histogram !== undefined) pushHistogram(batch.tokens, start, end, found.tokens[i]!, histogram, tracker);
  }
  if (state.timePerOutputToken !== undefined) pushHistogram(batch.timePerOutputToken, start, end, attributes, state.timePerOutputToken, tracker);
  for (let i = 0; i < state.finishes.length; i++) pushSum(batch.finishes, start, end, found.finishes[i]!, state.finishes[i]!, tracker);
  for (let i = 0; i < state.phases.length; i++) {
    const histogram = state.phases[i];
    if (histogram !== undefined) pushHistogram(batch.phases, start, end, found.phases[i]!, histogram, tracker);
  }
}
