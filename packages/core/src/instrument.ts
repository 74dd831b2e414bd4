import { observeBatchSize, observeConfidence, observeInput, observeOutput } from './observe.js';
import type { InstrumentOptions } from './options.js';
import { reportInternalError } from './diagnostics.js';
import { compilePlan, type Plan, type Resolved } from './plan.js';
import type { NativeRecorder } from './recorder/native/recorder.js';
import type { PredictionSeries } from './recorder/recorder.js';
import { runtime } from './runtime.js';
import { elapsed, instrumentStream, isAsyncIterable } from './stream.js';

type AnyFunction = (this: any, ...args: any[]) => any;

/** How a result is settled, chosen from the function's kind at decoration time. */
type Settle = (plan: Plan, resolved: Resolved, series: PredictionSeries, start: number, result: unknown, args: unknown[]) => unknown;

/**
 * Wraps an inference function so every call is measured: counted by outcome,
 * timed, and (with the extractors in `options`) its confidence and batch size
 * observed, per model and version.
 *
 * Works for sync functions, async functions (or any function returning a
 * promise) and functions returning async iterables (streams). The wrapper
 * keeps `this`, the arguments, the return value (the very same promise for
 * async functions), the thrown error's identity, and the function's `name`
 * and `length`. Metrics are recorded through the global OpenTelemetry
 * MeterProvider, so a service that already registered one needs no
 * `start()`; without any provider, recording is a no-op.
 *
 * Options are checked here, once: a bad option throws a `TypeError` naming
 * it. After that the wrapper never throws anything of its own; its failures
 * go to OpenTelemetry's `diag`, and unusable extractor results are counted in
 * `inferometer_dropped_observations_total`.
 *
 * @example
 * ```ts
 * import { instrument } from '@inferometer/core';
 *
 * const predict = instrument(
 *   async (features: number[][]) => session.run(toTensor(features)),
 *   {
 *     model: 'iris',
 *     version: '1.0.0',
 *     batchSize: (features) => features.length,
 *     confidence: (out) => out.probabilities.data,
 *   },
 * );
 * ```
 */
export function instrument<F extends AnyFunction>(
  fn: F,
  options: InstrumentOptions<ThisParameterType<F>, Parameters<F>, ReturnType<F>>,
): F {
  if (typeof fn !== 'function') {
    throw new TypeError(`instrument(fn, options): fn must be a function; got ${fn === null ? 'null' : typeof fn}`);
  }
  return wrapFunction(fn, compilePlan(options as InstrumentOptions, runtime().recorder, 'instrument(fn, options)'));
}

/** Builds the wrapper for a validated plan. Shared with the decorator. @internal */
export function wrapFunction<F extends AnyFunction>(fn: F, plan: Plan): F {
  const settle = chooseSettle(fn, plan);
  const wrapper = function (this: ThisParameterType<F>, ...args: Parameters<F>): ReturnType<F> {
    const resolved = plan.resolve(this, args);
    observeBatchSize(plan, resolved.series, args);
    if (resolved.observer !== undefined) observeInput(resolved.observer, args);
    // Every later method of this call goes to the series that counted its begin.
    const series = resolved.series.begin();
    const start = performance.now();
    let result: ReturnType<F>;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      series.fail(elapsed(start), plan.errorType(error, args));
      throw error;
    }
    return settle(plan, resolved, series, start, result, args) as ReturnType<F>;
  };
  // Keep what callers and frameworks read off the function (NestJS reads
  // `name`; arity checks read `length`).
  Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  return wrapper as unknown as F;
}

/**
 * Decide once how results are settled. Native async functions always return
 * promises and async generator functions always return async iterables, so
 * those skip the runtime checks; anything else (including transpiled async
 * code) is checked per call.
 */
function chooseSettle(fn: AnyFunction, plan: Plan): Settle {
  const kind = Object.getPrototypeOf(fn)?.constructor?.name;
  if (kind === 'AsyncGeneratorFunction' && plan.streaming !== false) return settleStream;
  if (kind === 'AsyncFunction') return plan.streaming === true ? settlePromisedStream : settlePromise;
  if (plan.streaming === false) return settleSyncOrPromise;
  if (plan.streaming === true) return settleAnyOrPromisedStream;
  return settleAny;
}

function settleSync(plan: Plan, resolved: Resolved, series: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  series.succeed(elapsed(start));
  observeConfidence(plan, series, result);
  if (resolved.observer !== undefined) observeOutput(resolved.observer, result);
  return result;
}

/**
 * Records when the promise settles and returns the caller's own promise, not
 * a derived one: the caller sees the same object (and any extra methods a
 * thenable library adds), and our handlers run before the caller's.
 * The derived promise of our `then` always fulfils, so it never raises an
 * unhandled rejection of its own; the caller still owns the original's.
 */
function settlePromise(plan: Plan, resolved: Resolved, series: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  try {
    (result as PromiseLike<unknown>).then(
      (value) => settleSync(plan, resolved, series, start, value, args),
      (error: unknown) => series.fail(elapsed(start), plan.errorType(error, args)),
    );
  } catch (err) {
    // A hand-made thenable whose then() throws: the caller still gets it
    // back untouched; the call is counted as returned, so in-flight comes
    // back down.
    reportInternalError('then() of a returned thenable', err);
    series.succeed(elapsed(start));
  }
  return result;
}

function settleStream(plan: Plan, resolved: Resolved, series: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  return instrumentStream(result as AsyncIterable<unknown>, series, start, (error) => plan.errorType(error, args));
}

/** `streaming: true` on a promise: the caller gets a new promise of the measured stream. */
function settlePromisedStream(plan: Plan, resolved: Resolved, series: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  try {
    return chainStream(plan, resolved, series, start, result, args);
  } catch (err) {
    reportInternalError('then() of a returned thenable', err);
    series.succeed(elapsed(start));
    return result;
  }
}

function chainStream(plan: Plan, resolved: Resolved, series: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  return (result as PromiseLike<unknown>).then(
    (value) =>
      isAsyncIterable(value)
        ? instrumentStream(value, series, start, (error) => plan.errorType(error, args))
        : settleSync(plan, resolved, series, start, value, args),
    (error: unknown) => {
      series.fail(elapsed(start), plan.errorType(error, args));
      throw error;
    },
  );
}

function settleSyncOrPromise(plan: Plan, resolved: Resolved, series: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  return isThenable(result) ? settlePromise(plan, resolved, series, start, result, args) : settleSync(plan, resolved, series, start, result, args);
}

function settleAny(plan: Plan, resolved: Resolved, series: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  if (isThenable(result)) return settlePromise(plan, resolved, series, start, result, args);
  if (isAsyncIterable(result)) return settleStream(plan, resolved, series, start, result, args);
  return settleSync(plan, resolved, series, start, result, args);
}

function settleAnyOrPromisedStream(plan: Plan, resolved: Resolved, series: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  if (isThenable(result)) return settlePromisedStream(plan, resolved, series, start, result, args);
  return settleAny(plan, resolved, series, start, result, args);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    // A revoked Proxy or a throwing getter: treat as a plain value.
    return false;
  }
}

/** The process-wide recorder (the default runtime's). @internal */
export function defaultRecorder(): NativeRecorder {
  return runtime().recorder;
}
