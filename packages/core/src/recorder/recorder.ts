import type { Attributes } from '@opentelemetry/api';
import type { FinishReason, Phase } from '../catalog.js';
import type { Runtime } from '../runtime.js';
import type { Outcome } from './handle.js';

/**
 * The seam between the wrappers and the metric backend. The wrappers resolve
 * a {@link PredictionSeries} once per (model, version, attributes) and then
 * only call its methods, so a faster recorder (typed-array aggregation handed
 * to the SDK as a MetricProducer) can replace the OpenTelemetry API one
 * without touching them.
 *
 * Implementations never throw: every method is called on the user's path.
 *
 * @internal
 */
export interface Recorder {
  /** Resolves the series handle for one model version and its extra attributes. */
  series(key: SeriesKey): PredictionSeries & SelfResolved;
  /** Counts one observation left out for `model`, with a reason from `DROP_REASONS`. */
  dropped(model: string, reason: string): void;
  /** The runtime whose guard (declared keys, per-model value guards) the plans use; the process's when absent. */
  readonly runtime?: Runtime;
}

/**
 * A series that is also what a call resolves to when its function has no
 * drift observer (plan.ts `Resolved`): `series` is the series itself, and
 * `observer` undefined. A wrapper with dynamic attributes keeps what each
 * combination resolves to, so an object around each series cost 40 B a
 * series (bench/scenarios/memory.mjs).
 *
 * @internal
 */
export interface SelfResolved {
  readonly series: PredictionSeries;
  readonly observer: undefined;
}

/** What identifies one series family member. @internal */
export interface SeriesKey {
  readonly model: string;
  readonly version: string;
  /** Extra user-declared attributes, already validated. */
  readonly attributes: Attributes;
  /** Per-model bucket boundaries, already validated. */
  readonly buckets: BucketOverrides | undefined;
  /** Numeric encoding of `version` for `ml_active_model_version`, if it has one. */
  readonly versionNumber: number | undefined;
  /** Per-model histogram kinds, already validated; absent ones follow the readers. */
  readonly histograms?: HistogramKinds | undefined;
}

/**
 * How a histogram aggregates: `explicit` buckets (the catalog's boundaries,
 * or the model's `buckets`), a base-2 `exponential` histogram (OpenTelemetry
 * ExponentialHistogram, Prometheus native histogram: at most 160 buckets at
 * the finest scale the values allow), or `both` (Prometheus scrapes a native
 * histogram and its classic buckets together; OTLP gets the kind its reader
 * asks for).
 *
 * @example
 * ```ts
 * 'exponential'
 * ```
 */
export type HistogramKind = 'explicit' | 'exponential' | 'both';

/**
 * Per-model histogram kinds, per catalog histogram (the keys of
 * {@link BucketOverrides}). A histogram not named follows what the attached
 * readers ask for (`explicit` unless an exporter is configured for
 * exponential histograms).
 *
 * @example
 * ```ts
 * { latency: 'both', timeToFirstItem: 'exponential' }
 * ```
 */
export interface HistogramKinds {
  readonly latency?: HistogramKind;
  readonly confidence?: HistogramKind;
  readonly batchSize?: HistogramKind;
  readonly timeToFirstItem?: HistogramKind;
  readonly streamItems?: HistogramKind;
}

/**
 * Per-model histogram bucket boundaries, in the metric's unit. Each list must
 * be finite numbers in strictly increasing order.
 *
 * @example
 * ```ts
 * { latency: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05], batchSize: [1, 8, 32, 128] }
 * ```
 */
export interface BucketOverrides {
  /** Boundaries for `ml_prediction_latency_seconds`, in seconds. */
  readonly latency?: readonly number[];
  /** Boundaries for `ml_prediction_confidence`, between 0 and 1. */
  readonly confidence?: readonly number[];
  /** Boundaries for `ml_prediction_batch_size`, in items. */
  readonly batchSize?: readonly number[];
  /** Boundaries for `ml_prediction_time_to_first_item_seconds`, in seconds. */
  readonly timeToFirstItem?: readonly number[];
  /** Boundaries for `ml_prediction_stream_items`, in items. */
  readonly streamItems?: readonly number[];
}

/**
 * One resolved series: the handle a wrapper records into.
 *
 * A call is `begin()`, then any of the other methods, then exactly one of
 * `succeed()`, `fail()` or `cancel()`, all on the object `begin()` returned: the series
 * that counted the call's in-flight +1, which therefore takes the -1 back
 * whatever switched in between (a collector attached or detached, a
 * MeterProvider registered), so in-flight never goes below zero or stays up.
 * Methods called on a handle before `begin()` (the batch size) go to the
 * handle's current target.
 *
 * In-flight stays exact even when our own code runs out of stack (a stack
 * overflow through an instrumented recursive function unwinds through
 * frames with no room for a single call): `begin()` adds its +1 as its last
 * step and `succeed()`, `fail()` and `cancel()` take the -1 as theirs, each a
 * plain field update. So a begin or an end that throws has not moved
 * in-flight, and whoever called it takes the -1 itself with field updates
 * alone, on {@link CallSeries.handle} (see instrument.ts).
 *
 * @internal
 */
export interface PredictionSeries {
  /** True for a metric's overflow series (past the series cap), which stands for many label sets. */
  readonly overflow?: boolean;
  /** A call started (in-flight +1, this version is now the model's active one); returns the series to end it on. */
  begin(): CallSeries;
  /** A call ended well after `seconds` (count, latency, in-flight -1). */
  succeed(seconds: number): void;
  /** A call ended in an error after `seconds` (count, latency, error, in-flight -1). */
  fail(seconds: number, errorType: string): void;
  /**
   * A call's result was dropped unfinished (count under `status="cancelled"`,
   * in-flight -1). No latency: the time until the result was found dropped
   * (garbage collection) is not the call's.
   */
  cancel(): void;
  /** One confidence observation, 0 to 1. */
  confidence(value: number): void;
  /** Items in the call's batch. */
  batchSize(items: number): void;
  /** A stream produced its first item `seconds` after the call. */
  firstItem(seconds: number): void;
  /** A stream ended after producing `items` items. */
  streamItems(items: number): void;
  /**
   * What a generative call reported, at its end (only wrappers with the
   * `llm` option call it, so other series never allocate its state).
   */
  generation(record: GenerationRecord): void;
  /** Time one call spent in one phase (only wrappers with the `phases` or `arrivedAt` option call it). */
  phase(phase: Phase, seconds: number): void;
}

/**
 * The series a call began on: what `begin()` returns, where the call ends.
 *
 * @internal
 */
export interface CallSeries extends PredictionSeries {
  /**
   * The handle the series belongs to. Its native series holds the in-flight
   * count of both paths (one plain integer per series: the fast path's collector
   * reads it, and the API path brings its instrument to it at
   * collection), so code with no
   * stack left can take a call out of flight without calling anything:
   * `const count = call.handle.native; const slot = count.at + COUNT_IN_FLIGHT; if (count.counts[slot] > 0) count.counts[slot]--;`
   */
  readonly handle: CallHandle;
  /** A call's outcome without its in-flight -1 (already taken by whoever calls this). */
  outcome(seconds: number, outcome: Outcome): void;
}

/** What a call's code reads off its series' handle. @internal */
export interface CallHandle {
  readonly native: { readonly counts: Float64Array; readonly at: number };
  readonly version: { readonly model: { readonly name: string } };
  readonly recorder: { dropped(model: string, reason: string): void };
}

/**
 * One generative call's figures, as its extractor read them; `undefined`
 * where the provider did not report one. Recorded once, when the call ends.
 *
 * @internal
 */
export interface GenerationRecord {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cachedInputTokens: number | undefined;
  finish: FinishReason | undefined;
  /** Seconds per output token after the first (successful streams with two or more output tokens). */
  timePerOutputToken: number | undefined;
}
