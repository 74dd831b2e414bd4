import { context, createContextKey, INVALID_SPANID, INVALID_TRACEID, ROOT_CONTEXT, trace, TraceFlags, type Attributes, type SpanContext } from '@opentelemetry/api';
import type { HrTimeLike } from './series.js';

/**
 * One exemplar on a collected point: the shape of the Exemplar the
 * OpenTelemetry SDK's data points carried before 2.0 (and of OTLP's):
 * `traceId` and `spanId` of the sampled span the observation was made in.
 * A histogram point carries at most one per bucket, in bucket order, each
 * with a value inside its bucket; a counter point at most one.
 */
export interface CollectedExemplar {
  /** Labels besides the trace and span ids (none from the catalog). */
  readonly filteredAttributes: Attributes;
  readonly value: number;
  readonly timestamp: HrTimeLike;
  readonly traceId: string;
  readonly spanId: string;
}

const PROBE = createContextKey('inferometer exemplar probe');

/**
 * Whether an active span can exist at all: a ContextManager that carries
 * values is registered with the OpenTelemetry API (the API's default one
 * returns the root context whatever was set, so this probe reads back
 * nothing under it). @opentelemetry/api has no public way to ask which
 * manager is registered (`context._getContextManager()` is private), and
 * a TracerProvider alone cannot make a span active for our calls, so this
 * is the one signal that needs no SDK. Checked when a collector attaches
 * and at every collection, never per call.
 *
 * @internal
 */
export function tracingPossible(): boolean {
  return context.with(ROOT_CONTEXT.setValue(PROBE, true), () => context.active().getValue(PROBE) === true);
}

/**
 * The active context's span context when it is sampled and not the invalid
 * one, else undefined. Compared with the API's invalid ids rather than
 * through `isSpanContextValid`, whose two regular expressions cost more
 * than the rest of the exemplar (ids of other shapes are escaped where
 * written, so they cannot break an exposition).
 *
 * @internal
 */
export function sampledSpan(): SpanContext | undefined {
  const span = trace.getSpanContext(context.active());
  if (span === undefined || (span.traceFlags & TraceFlags.SAMPLED) === 0 || span.traceId === INVALID_TRACEID || span.spanId === INVALID_SPANID) return undefined;
  return span;
}

/** The latest exemplar of one counter label set. */
interface ExemplarSlot {
  traceId: string;
  spanId: string;
  value: number;
  /** Milliseconds since the epoch. */
  time: number;
}

/**
 * A series' exemplars, created on its first call inside a sampled span:
 * the latest one per latency bucket (OpenMetrics allows one per bucket
 * line) and per error type. Series that never run in a span have none.
 *
 * @internal
 */
export class SeriesExemplars {
  private readonly _traceIds: (string | undefined)[];
  private readonly _spanIds: (string | undefined)[];
  /** Per bucket: value, then time (ms). */
  private readonly _numbers: Float64Array;
  private _errors: Map<string, ExemplarSlot> | undefined;

  constructor(private readonly _boundaries: Float64Array) {
    const buckets = _boundaries.length + 1;
    this._traceIds = new Array<string | undefined>(buckets).fill(undefined);
    this._spanIds = new Array<string | undefined>(buckets).fill(undefined);
    this._numbers = new Float64Array(buckets * 2);
  }

  /** The latency observation `seconds` made in `span`: the exemplar of its bucket now. */
  latency(seconds: number, span: SpanContext): void {
    const i = bucketOf(this._boundaries, seconds);
    this._traceIds[i] = span.traceId;
    this._spanIds[i] = span.spanId;
    this._numbers[i * 2] = seconds;
    this._numbers[i * 2 + 1] = Date.now();
  }

  /** An error of `type` (as the series records it) counted in `span`. */
  error(type: string, span: SpanContext): void {
    const errors = (this._errors ??= new Map());
    const slot = errors.get(type);
    if (slot === undefined) errors.set(type, { traceId: span.traceId, spanId: span.spanId, value: 1, time: Date.now() });
    else {
      slot.traceId = span.traceId;
      slot.spanId = span.spanId;
      slot.time = Date.now();
    }
  }

  /** The latency exemplars, in bucket order; undefined when there are none. */
  latencyExemplars(): CollectedExemplar[] | undefined {
    let out: CollectedExemplar[] | undefined;
    for (let i = 0; i < this._traceIds.length; i++) {
      const traceId = this._traceIds[i];
      if (traceId === undefined) continue;
      (out ??= []).push({ filteredAttributes: NO_ATTRIBUTES, value: this._numbers[i * 2]!, timestamp: hrFromMs(this._numbers[i * 2 + 1]!), traceId, spanId: this._spanIds[i]! });
    }
    return out;
  }

  /** The exemplar of error type `type`, if one was recorded. */
  errorExemplar(type: string): CollectedExemplar[] | undefined {
    const slot = this._errors?.get(type);
    if (slot === undefined) return undefined;
    return [{ filteredAttributes: NO_ATTRIBUTES, value: slot.value, timestamp: hrFromMs(slot.time), traceId: slot.traceId, spanId: slot.spanId }];
  }
}

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * The bucket of `value`: the first boundary >= value (upper bounds
 * inclusive, as NativeHistogram counts). Searched again here, only for
 * calls in a sampled span, so the histogram's record path stays as it is.
 */
function bucketOf(boundaries: Float64Array, value: number): number {
  let i = 0;
  let hi = boundaries.length;
  while (i < hi) {
    const mid = (i + hi) >>> 1;
    if (value > boundaries[mid]!) i = mid + 1;
    else hi = mid;
  }
  return i;
}

function hrFromMs(ms: number): HrTimeLike {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/**
 * The exemplars a data point carries: the catalog's native points have them
 * (a field the SDK's data points dropped in 2.0), the SDK's own points none.
 * One reader for the pull serializer and the remote-write encoder.
 */
export function exemplarsOf(point: object): readonly CollectedExemplar[] | undefined {
  return (point as { exemplars?: readonly CollectedExemplar[] }).exemplars;
}

/**
 * Of a histogram point's exemplars (at most one per bucket, in bucket
 * order), the one for the bucket with upper bound `bound` when `next` is the
 * first not yet written: it belongs there unless its value is above the
 * bound. The caller moves `next` on when one is returned. One rule for the
 * pull serializer and both remote-write encoders.
 */
export function bucketExemplar(exemplars: readonly CollectedExemplar[] | undefined, next: number, bound: number): CollectedExemplar | undefined {
  if (exemplars === undefined || next >= exemplars.length) return undefined;
  const exemplar = exemplars[next]!;
  return exemplar.value > bound ? undefined : exemplar;
}
