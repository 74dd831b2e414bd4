import { DROP_REASONS } from './catalog.js';
import { reportInternalError } from './diagnostics.js';
import type { BoundInferenceObserver } from './options.js';
import type { Plan } from './plan.js';
import type { PredictionSeries } from './recorder/recorder.js';

/**
 * Reads the batch size from the call's arguments, before the call. A failing
 * or nonsensical extractor costs one dropped observation, never the call.
 *
 * @internal
 */
export function observeBatchSize(plan: Plan, series: PredictionSeries, args: unknown[]): void {
  const extract = plan.batchSize;
  if (extract === undefined) return;
  let items: unknown;
  try {
    items = extract(args);
  } catch (err) {
    reportInternalError('batchSize extractor', err);
  }
  if (typeof items === 'number' && Number.isFinite(items) && items >= 0) {
    series.batchSize(items);
  } else {
    plan.recorder.dropped(plan.model, DROP_REASONS.batchSize);
  }
}

/**
 * Reads the confidence from a successful result: a number, a probability
 * vector (its max), or a list of vectors (each row's max).
 *
 * @internal
 */
export function observeConfidence(plan: Plan, series: PredictionSeries, result: unknown): void {
  const extract = plan.confidence;
  if (extract === undefined) return;
  let value: unknown;
  try {
    value = extract(result);
  } catch (err) {
    reportInternalError('confidence extractor', err);
    plan.recorder.dropped(plan.model, DROP_REASONS.confidence);
    return;
  }
  if (value === undefined) return;
  try {
    recordConfidenceValue(plan, series, value);
  } catch (err) {
    // A getter on the result that throws, a revoked Proxy: the observation
    // is lost, never the caller's result.
    reportInternalError('confidence value', err);
    plan.recorder.dropped(plan.model, DROP_REASONS.confidence);
  }
}

function recordConfidenceValue(plan: Plan, series: PredictionSeries, value: unknown): void {
  if (typeof value === 'number') {
    recordConfidence(plan, series, value);
    return;
  }
  if (!isArrayLike(value) || value.length === 0) {
    plan.recorder.dropped(plan.model, DROP_REASONS.confidence);
    return;
  }
  if (ArrayBuffer.isView(value)) {
    // A typed array (an ONNX output tensor's data): one probability vector.
    recordConfidence(plan, series, maxTyped(value as unknown as Float32Array));
    return;
  }
  if (isArrayLike(value[0])) {
    for (let i = 0; i < value.length; i++) {
      const row = value[i];
      if (isArrayLike(row) && row.length > 0) recordConfidence(plan, series, max(row));
      else plan.recorder.dropped(plan.model, DROP_REASONS.confidence);
    }
    return;
  }
  recordConfidence(plan, series, max(value as ArrayLike<unknown>));
}

function recordConfidence(plan: Plan, series: PredictionSeries, value: number): void {
  if (Number.isFinite(value) && value >= 0 && value <= 1) series.confidence(value);
  else plan.recorder.dropped(plan.model, DROP_REASONS.confidenceRange);
}

function max(values: ArrayLike<unknown>): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || Number.isNaN(v)) return Number.NaN;
    if (v > best) best = v;
  }
  return best;
}

/**
 * Kept apart from {@link max} so each stays monomorphic: element access
 * shared between arrays and typed arrays costs about 100 ns per call.
 */
function maxTyped(values: Float32Array): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) return Number.NaN;
    if (v > best) best = v;
  }
  return best;
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { length?: unknown }).length === 'number'
  );
}

/** Hands the call's arguments to a bound observer (drift); its failure costs nothing but the observation. @internal */
export function observeInput(plan: Plan, observer: BoundInferenceObserver, args: readonly unknown[]): void {
  try {
    observer.input?.(args);
  } catch (err) {
    reportInternalError('drift observer input', err);
    plan.recorder.dropped(plan.model, DROP_REASONS.drift);
  }
}

/** Hands a successful result to a bound observer. @internal */
export function observeOutput(plan: Plan, observer: BoundInferenceObserver, result: unknown, args: readonly unknown[]): void {
  try {
    observer.output?.(result, args);
  } catch (err) {
    reportInternalError('drift observer output', err);
    plan.recorder.dropped(plan.model, DROP_REASONS.drift);
  }
}
