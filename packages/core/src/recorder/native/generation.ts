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
export class NativeGeneration implements GenerationReading {
  /** input, output, cached_input, in {@link TOKEN_TYPES} order. */
  readonly tokens: (NativeHistogram | undefined)[] = [undefined, undefined, undefined];
  timePerOutputToken: NativeHistogram | undefined;
  /** Counts in {@link FINISH_REASONS} order, from {@link finishesAt} (in a slab: a worker thread's main thread reads them too). */
  readonly finishes: Float64Array;
  readonly finishesAt: number;
  /** In {@link PHASES} order. */
  readonly phases: (NativeHistogram | undefined)[] = [undefined, undefined, undefined, undefined];

  constructor(
    private readonly _slab: HistogramSlab,
    /** Called when a histogram is added (the series' layout changed). */
    private readonly _changed: () => void = () => {},
  ) {
    this.finishesAt = _slab.take(FINISH_REASONS.length);
    this.finishes = _slab.data;
  }

  /** Finished generations for the reason at `i` of {@link FINISH_REASONS}. */
  finished(i: number): number {
    return this.finishes[this.finishesAt + i]!;
  }

  record(record: GenerationRecord): void {
    if (record.inputTokens !== undefined) this._tokens(0, record.inputTokens);
    if (record.outputTokens !== undefined) this._tokens(1, record.outputTokens);
    if (record.cachedInputTokens !== undefined) this._tokens(2, record.cachedInputTokens);
    if (record.timePerOutputToken !== undefined) (this.timePerOutputToken ?? this._tpot()).record(record.timePerOutputToken);
    if (record.finish !== undefined) this.finish(record.finish);
  }

  finish(reason: FinishReason): void {
    const i = FINISH_INDEX.get(reason);
    if (i !== undefined) this.finishes[this.finishesAt + i]!++;
  }

  phase(phase: Phase, seconds: number): void {
    const i = PHASE_INDEX.get(phase);
    if (i === undefined) return;
    let histogram = this.phases[i];
    if (histogram === undefined) {
      this.phases[i] = histogram = new NativeHistogram(PHASE_BOUNDARIES, this._slab);
      this._changed();
    }
    histogram.record(seconds);
  }

  private _tokens(i: number, count: number): void {
    let histogram = this.tokens[i];
    if (histogram === undefined) {
      this.tokens[i] = histogram = new NativeHistogram(TOKEN_BOUNDARIES, this._slab);
      this._changed();
    }
    histogram.record(count);
  }

  private _tpot(): NativeHistogram {
    const histogram = (this.timePerOutputToken = new NativeHistogram(TPOT_BOUNDARIES, this._slab));
    this._changed();
    return histogram;
  }
}

/** What the generative points of one series are read from: a {@link NativeGeneration}, or its view over a worker thread's shared memory. @internal */
export interface GenerationReading {
  readonly tokens: readonly (NativeHistogram | undefined)[];
  readonly timePerOutputToken: NativeHistogram | undefined;
  readonly phases: readonly (NativeHistogram | undefined)[];
  /** Finished generations for the reason at `i` of {@link FINISH_REASONS}. */
  finished(i: number): number;
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
  state: GenerationReading,
  tracker: DeltaTracker | undefined,
): void {
  const found = labelsOf(state, attributes);
  for (let i = 0; i < state.tokens.length; i++) {
    const histogram = state.tokens[i];
    if (histogram !== undefined) pushHistogram(batch.tokens, start, end, found.tokens[i]!, histogram, tracker);
  }
  if (state.timePerOutputToken !== undefined) pushHistogram(batch.timePerOutputToken, start, end, attributes, state.timePerOutputToken, tracker);
  for (let i = 0; i < FINISH_REASONS.length; i++) pushSum(batch.finishes, start, end, found.finishes[i]!, state.finished(i), tracker);
  for (let i = 0; i < state.phases.length; i++) {
    const histogram = state.phases[i];
    if (histogram !== undefined) pushHistogram(batch.phases, start, end, found.phases[i]!, histogram, tracker);
  }
}
