import type { Attributes } from '@opentelemetry/api';
import { ERROR_TYPE_OTHER, MAX_ERROR_TYPES_PER_SERIES, type Phase } from '../catalog.js';
import type { SeriesRecorder } from './native/recorder.js';
import type { NativeSeries, SeriesBoundaries } from './native/series.js';
import type { CallSeries, GenerationRecord, PredictionSeries, SelfResolved } from './recorder.js';

/** The outcome of a call that was cancelled (see {@link PredictionSeries.cancel}). @internal */
export const CANCELLED: unique symbol = Symbol('cancelled');

/**
 * How a call ended, as targets pass it on: `undefined` for a success, the
 * error type for an error, {@link CANCELLED} for a cancelled call.
 *
 * @internal
 */
export type Outcome = string | undefined | typeof CANCELLED;

/**
 * Where one series records now: the fast path's native series (a collector
 * reads it) or the API path's series of the current global MeterProvider. A target
 * that is no longer its handle's `current` one still ends the calls it
 * began (their in-flight -1) and passes their outcome to the handle's
 * current target: the one place a call spanning a switch is handled.
 *
 * @internal
 */
export interface SeriesTarget extends CallSeries {
  readonly handle: SeriesHandle;
  /** Whether this is its handle's target now. */
  current: boolean;
  /** This target if it may still record, else the handle's up-to-date target. */
  fresh(): SeriesTarget;
  /** A call's outcome without its in-flight -1 (the call began on another target, or its -1 was taken already). */
  outcome(seconds: number, outcome: Outcome): void;
}

/** What the model gauges report for one model. @internal */
export interface ModelState {
  readonly name: string;
  /** `{ model_name }`, for `ml_active_model_version`. */
  readonly attributes: Attributes;
  /** The version of the latest call. */
  active: VersionState | undefined;
  readonly versions: Map<string, VersionState>;
  /** The state of overflow series: never exported, so they cannot move the version gauges. */
  readonly overflow: boolean;
}

/** One (model, version) pair that has served. @internal */
export interface VersionState {
  readonly model: ModelState;
  readonly name: string;
  /** Numeric encoding for `ml_active_model_version`, if it has one. */
  readonly number: number | undefined;
  /** `{ model_name, model_version }`, for `ml_model_info`. */
  readonly info: Attributes;
  /** `Date.now()` when another version took over as the active one; undefined while active. */
  replacedAt: number | undefined;
  /** Collectors that must still export this version before it is released (retired, not yet released). */
  releasing: Set<object> | undefined;
}

/** Makes `version` its model's active version (a call began on it). @internal */
export function activate(version: VersionState): void {
  const model = version.model;
  const previous = model.active;
  // Only on a switch: one clock read per hot swap, none per call.
  if (previous !== undefined) previous.replacedAt = Date.now();
  model.active = version;
  version.replacedAt = undefined;
}

/**
 * What a wrapper holds for one (model, version, attributes): a handle whose
 * target is swapped when a collector attaches or detaches and when the
 * global MeterProvider changes, so the fast path and the API path
 * (OpenTelemetry API instruments) are two types instead of one type branching on
 * every call. `begin()` returns the target that counted the call, and the
 * wrapper ends the call there (see {@link PredictionSeries}).
 *
 * @internal
 */
export class SeriesHandle implements PredictionSeries, SelfResolved {
  target: SeriesTarget;
  /** Error types admitted for this series: at most MAX_ERROR_TYPES_PER_SERIES, the rest `_OTHER` (both paths). */
  private _errorTypes: Set<string> | undefined;
  /** Label sets recorded through the OpenTelemetry API: 1 success, 2 error, 4 cancelled (for `inferometer_series`); 8 a call begun there (its in-flight point). */
  statuses = 0;
  /** Whether the handle holds a place in the recorder (false once its version was released). */
  registered = true;

  constructor(
    readonly recorder: SeriesRecorder,
    /** The series' own attributes: model_name, model_version, then the user's. */
    readonly attributes: Attributes,
    readonly version: VersionState,
    readonly boundaries: SeriesBoundaries,
    /** Which place of the series cap it holds. */
    readonly kind: 'regular' | 'model' | 'metric',
    readonly native: NativeSeries,
  ) {
    this.target = native;
    native.current = true;
  }

  get overflow(): boolean {
    return this.kind !== 'regular';
  }

  /** Itself: a series is what a call resolves to when its function has no drift observer (see {@link SelfResolved}). */
  get series(): this {
    return this;
  }

  get observer(): undefined {
    return undefined;
  }

  begin(): CallSeries {
    return this.target.begin();
  }

  succeed(seconds: number): void {
    this.target.succeed(seconds);
  }

  fail(seconds: number, errorType: string): void {
    this.target.fail(seconds, errorType);
  }

  cancel(): void {
    this.target.cancel();
  }

  confidence(value: number): void {
    this.target.confidence(value);
  }

  batchSize(items: number): void {
    this.target.batchSize(items);
  }

  firstItem(seconds: number): void {
    this.target.firstItem(seconds);
  }

  streamItems(items: number): void {
    this.target.streamItems(items);
  }

  generation(record: GenerationRecord): void {
    this.target.generation(record);
  }

  phase(phase: Phase, seconds: number): void {
    this.target.phase(phase, seconds);
  }

  /** Makes `next` the target; calls begun on the previous one still end there. */
  swap(next: SeriesTarget): void {
    const previous = this.target;
    if (previous === next) return;
    previous.current = false;
    this.target = next;
    next.current = true;
  }

  /** The target outcomes go to now (an API target taken again if the global provider changed). */
  now(): SeriesTarget {
    return this.target.fresh();
  }

  /** The error type recorded for `type`: itself while the series has room, else `_OTHER`. */
  errorType(type: string): string {
    const types = (this._errorTypes ??= new Set());
    if (types.has(type)) return type;
    if (types.size < MAX_ERROR_TYPES_PER_SERIES) {
      types.add(type);
      return type;
    }
    return ERROR_TYPE_OTHER;
  }
}

/**
 * The target of a handle whose version was released: the first use puts
 * the handle back into the recorder (under the series cap again) and
 * forwards to its new target. Costs nothing on the path of live series.
 *
 * @internal
 */
export class ReleasedTarget implements SeriesTarget {
  current = false;

  constructor(readonly handle: SeriesHandle) {}

  fresh(): SeriesTarget {
    return this.handle.recorder.revive(this.handle);
  }

  begin(): CallSeries {
    return this.fresh().begin();
  }

  succeed(seconds: number): void {
    this.fresh().outcome(seconds, undefined);
  }

  fail(seconds: number, errorType: string): void {
    this.fresh().outcome(seconds, errorType);
  }

  cancel(): void {
    this.fresh().outcome(0, CANCELLED);
  }

  outcome(seconds: number, outcome: Outcome): void {
    this.fresh().outcome(seconds, outcome);
  }

  confidence(value: number): void {
    this.fresh().confidence(value);
  }

  batchSize(items: number): void {
    this.fresh().batchSize(items);
  }

  firstItem(seconds: number): void {
    this.fresh().firstItem(seconds);
  }

  streamItems(items: number): void {
    this.fresh().streamItems(items);
  }

  generation(record: GenerationRecord): void {
    this.fresh().generation(record);
  }

  phase(phase: Phase, seconds: number): void {
    this.fresh().phase(phase, seconds);
  }
}
