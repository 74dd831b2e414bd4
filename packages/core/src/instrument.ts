import { observeBatchSize, observeConfidence, observeInput, observeOutput } from './observe.js';
import type { InstrumentOptions } from './options.js';
import { reportInternalError } from './diagnostics.js';
import { InferometerConfigError } from './errors.js';
import { compilePlan, type Plan, type Resolved } from './plan.js';
import { runtime, type Runtime } from './runtime.js';
import type { PredictionSeries } from './recorder/recorder.js';
import { GenerationCallEnd, isAbort } from './llm/generation.js';
import { CallEnd, elapsed, instrumentNodeStream, now, instrumentStream, isAsyncIterable, isNodeStream, releaseWhenCollected } from './stream.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any: the user's own function types must stay assignable (unknown would refuse their parameters)
type AnyFunction = (this: any, ...args: any[]) => any;

/**
 * Wraps an inference function so every call is measured: counted by outcome,
 * timed, and (with the extractors in `options`) its confidence and batch size
 * observed, per model and version.
 *
 * Works for sync functions, async functions (or any function returning a
 * promise or thenable) and functions returning streams (async iterables and
 * Node.js streams). The wrapper keeps `this`, the arguments, the returned
 * value, the thrown or rejected error's identity, unhandled-rejection
 * behaviour, and the function's `name` and `length`:
 *
 * - A native `Promise` is measured by chaining on it, and the caller gets the
 *   chained promise: it settles one microtask later with the same value or
 *   the very same error, and a rejection the caller ignores still raises
 *   exactly one `unhandledRejection` (Node exits 1 by default), as without
 *   the wrapper. It is not the same promise object: a native promise cannot
 *   be observed in JavaScript without marking it handled.
 * - Any other thenable (a Promise subclass such as the openai SDK's
 *   APIPromise, a Mongoose Query, a knex builder, whose `then()` runs the
 *   query) is returned as the very same object, and the wrapper never calls
 *   its `then()`: it gets an own non-enumerable `then` that calls the
 *   original once per call of the caller's and measures the callbacks the
 *   caller passed. A thenable never settled through `then` (never awaited,
 *   or consumed through another method) ends its call when it is
 *   garbage-collected, counted as `status="cancelled"` (not an error). A frozen or
 *   non-extensible thenable is counted as a success when it is returned.
 * - A stream is returned as the very same object where it can take an own
 *   property (see `streaming`); it is counted once when it ends, fails, is
 *   closed by the consumer, or is garbage-collected unfinished
 *   (`status="cancelled"`, not an error).
 *
 * Metrics are recorded through the global OpenTelemetry MeterProvider, so a
 * service that already registered one needs no `start()`; without any
 * provider, recording is a no-op.
 *
 * Options are checked here, once: a bad option throws an
 * {@link InstrumentOptionError} (a `TypeError`) whose `option` and `accepted`
 * name the option and what it takes. After that the
 * wrapper never throws anything of its own; its failures and the failures
 * of the option callbacks go to OpenTelemetry's `diag` (once per kind) and
 * are counted in `inferometer_dropped_observations_total`.
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
  return instrumentIn(runtime(), fn, options);
}

/**
 * {@link instrument} recording into a given runtime's recorder and guard
 * (tests build on a fresh `createRuntime()` instead of the process's).
 *
 * @internal
 */
export function instrumentIn<F extends AnyFunction>(
  owner: Runtime,
  fn: F,
  options: InstrumentOptions<ThisParameterType<F>, Parameters<F>, ReturnType<F>>,
): F {
  if (typeof fn !== 'function') {
    throw new InferometerConfigError('fn', `instrument(fn, options): fn must be a function; got ${fn === null ? 'null' : typeof fn}`, ['a function']);
  }
  return wrapFunction(fn, compilePlan(options as InstrumentOptions, owner.recorder, 'instrument(fn, options)'));
}

/*
 * Calls that threw, waiting to be counted. A stack overflow inside an
 * instrumented recursive function unwinds through every wrapper frame with
 * no stack to spare: recording right there would overflow again and leave
 * the call in flight for good. So the catch path first stores the call here
 * with plain stores (no call, no allocation), then tries to count it; a
 * frame further up, with stack to spare, counts what is left.
 */
const PENDING_MAX = 256;
const pendingCalls: (PredictionSeries | undefined)[] = new Array(PENDING_MAX).fill(undefined);
const pendingStarts = new Float64Array(PENDING_MAX);
const pendingErrors: unknown[] = new Array(PENDING_MAX).fill(undefined);
const pendingArgs: (unknown[] | undefined)[] = new Array(PENDING_MAX).fill(undefined);
const pendingPlans: (Plan | undefined)[] = new Array(PENDING_MAX).fill(undefined);
let pendingTop = 0;

/** Counts the stored failures, newest first; throws (leaving them stored) while the stack is still short. */
function flushPending(): void {
  while (pendingTop > 0) {
    const i = pendingTop - 1;
    const error = pendingErrors[i];
    // After a stack overflow, make sure recording has room before taking
    // the entry: recording that overflows halfway would lose it.
    if (error instanceof RangeError) probeStack(STACK_PROBE_DEPTH);
    const call = pendingCalls[i]!;
    const start = pendingStarts[i]!;
    const args = pendingArgs[i]!;
    const plan = pendingPlans[i]!;
    pendingCalls[i] = undefined;
    pendingErrors[i] = undefined;
    pendingArgs[i] = undefined;
    pendingPlans[i] = undefined;
    pendingTop = i;
    let type: string;
    try {
      type = plan.errorType(error, args);
    } catch {
      type = 'RangeError';
    }
    const generation = plan.generation;
    if (generation === undefined) {
      call.fail(elapsed(start), type);
    } else {
      // A generative function that throws before returning its promise or
      // stream (a bad argument, an abort already signalled) ends as a call
      // does when its promise rejects: finish_reason error, or cancelled.
      endGenerativeFailure(generation, call, start, error, type);
    }
  }
}

/** Frames the probe takes: well above what recording a failure needs (the SDK path is about 20 frames). */
const STACK_PROBE_DEPTH = 200;
function probeStack(depth: number): number {
  return depth === 0 ? 0 : probeStack(depth - 1) + 1;
}

/** Builds the wrapper for a validated plan. Shared with the decorator. @internal */
export function wrapFunction<F extends AnyFunction>(fn: F, plan: Plan): F {
  const settle = chooseSettle(fn, plan);
  const wrapper = function (this: ThisParameterType<F>, ...args: Parameters<F>): ReturnType<F> {
    const resolved = plan.resolve(this, args);
    const series = resolved.series;
    if (plan.batchSize !== undefined) observeBatchSize(plan, series, args);
    if (resolved.observer !== undefined) observeInput(plan, resolved.observer, args);
    const call = series.begin();
    let start = Number.NaN;
    let result: ReturnType<F>;
    try {
      start = now();
      result = fn.apply(this, args);
    } catch (error) {
      // The least work first: see pendingCalls.
      const i = pendingTop;
      if (i < PENDING_MAX) {
        pendingCalls[i] = call;
        pendingStarts[i] = start;
        pendingErrors[i] = error;
        pendingArgs[i] = args;
        pendingPlans[i] = plan;
        pendingTop = i + 1;
        try {
          flushPending();
        } catch {
          // No stack to spare yet: a wrapper frame further up counts it.
        }
      } else {
        settleFailure(plan, call, start, error, args);
      }
      throw error;
    }
    return settle(plan, resolved, call, start, result, args) as ReturnType<F>;
  };
  // Keep what callers and frameworks read off the function (NestJS reads
  // `name`; arity checks read `length`).
  Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  return wrapper as unknown as F;
}

/** How a result is settled, chosen from the function's kind at decoration time. */
type Settle = (plan: Plan, resolved: Resolved, call: PredictionSeries, start: number, result: unknown, args: unknown[]) => unknown;

/**
 * Decide once how results are settled. Native async functions always return
 * native promises and async generator functions always return async
 * iterables, so those skip the runtime checks; anything else (including
 * transpiled async code) is checked per call.
 */
function chooseSettle(fn: AnyFunction, plan: Plan): Settle {
  const kind = Object.getPrototypeOf(fn)?.constructor?.name;
  if (kind === 'AsyncGeneratorFunction' && plan.streaming !== false) return settleStream;
  if (kind === 'AsyncFunction') return plan.streaming === true ? settleNativePromisedStream : nativePromiseSettler(plan);
  return settleAny;
}

function settleSync(plan: Plan, resolved: Resolved, call: PredictionSeries, start: number, result: unknown, args?: unknown[]): unknown {
  const seconds = elapsed(start);
  call.succeed(seconds);
  if (plan.confidence !== undefined) observeConfidence(plan, call, result);
  if (resolved.observer !== undefined) observeOutput(plan, resolved.observer, result);
  if (plan.generation !== undefined) plan.generation.settled(call, seconds, result);
  if (plan.phases !== undefined) plan.phases(call, result, args ?? []);
  return result;
}

function settleFailure(plan: Plan, call: PredictionSeries, start: number, error: unknown, args: unknown[]): void {
  const generation = plan.generation;
  if (generation === undefined) {
    call.fail(elapsed(start), plan.errorType(error, args));
    return;
  }
  settleGenerativeFailure(generation, plan, call, start, error, args);
}

/** A generative call that failed: the caller's abort is a cancelled call, anything else an error. */
function settleGenerativeFailure(generation: NonNullable<Plan['generation']>, plan: Plan, call: PredictionSeries, start: number, error: unknown, args: unknown[]): void {
  endGenerativeFailure(generation, call, start, error, isAbort(error) ? '' : plan.errorType(error, args));
}

/** Ends a failed generative call whose error type is known (unused for an abort). */
function endGenerativeFailure(generation: NonNullable<Plan['generation']>, call: PredictionSeries, start: number, error: unknown, type: string): void {
  if (isAbort(error)) {
    call.cancel();
    generation.cancelled(call, undefined);
    return;
  }
  const seconds = elapsed(start);
  call.fail(seconds, type);
  generation.failed(call, seconds, type);
}

/** The end of a stream: a generative call's reads every item. */
function streamEnd(plan: Plan, call: PredictionSeries, start: number): CallEnd | undefined {
  return plan.generation === undefined ? undefined : new GenerationCallEnd(call, start, plan.generation);
}

const promiseThen = Promise.prototype.then;

/**
 * A native promise: the caller gets the promise chained on it, which
 * settles with the same value or the very same error. Chaining marks the
 * original handled, and the chained promise rejects exactly when the
 * original does, so a rejection nobody handles is still reported once, with
 * the same reason, as `unhandledRejection` (the pattern of the
 * opentelemetry-js-contrib instrumentations). The intrinsic `then` is used,
 * so an own `then` on the promise is never called by us.
 */
function settleNativePromise(plan: Plan, resolved: Resolved, call: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  return promiseThen.call(
    result as Promise<unknown>,
    (value) => settleSync(plan, resolved, call, start, value, args),
    (error: unknown) => {
      settleFailure(plan, call, start, error, args);
      throw error;
    },
  );
}

/**
 * {@link settleNativePromise} for the functions known at decoration to
 * return native promises (`async function`): what the success records is
 * decided here, once, and the two reactions made per call hold only the
 * call's own state (the plan's is shared), the least a chained promise
 * allows (a reaction is called without a receiver or any other context).
 */
function nativePromiseSettler(plan: Plan): Settle {
  const confidence = plan.confidence !== undefined;
  const errorType = plan.errorType;
  if (plan.generation !== undefined || plan.phases !== undefined) {
    // Generative calls and phases: the general settlement, which reads them.
    return (_plan, resolved, call, start, result, args) =>
      promiseThen.call(
        result as Promise<unknown>,
        (value: unknown) => settleSync(plan, resolved, call, start, value, args),
        (error: unknown) => {
          settleFailure(plan, call, start, error, args);
          throw error;
        },
      );
  }
  return (_plan, resolved, call, start, result, args) =>
    promiseThen.call(
      result as Promise<unknown>,
      (value: unknown) => {
        call.succeed(elapsed(start));
        if (confidence) observeConfidence(plan, call, value);
        const observer = resolved.observer;
        if (observer !== undefined) observeOutput(plan, observer, value);
        return value;
      },
      (error: unknown) => {
        call.fail(elapsed(start), errorType(error, args));
        throw error;
      },
    );
}

/** `streaming: true` on a native promise: the chained promise resolves to the measured stream. */
function settleNativePromisedStream(plan: Plan, resolved: Resolved, call: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  return promiseThen.call(
    result as Promise<unknown>,
    (value) => settleValue(plan, resolved, call, start, value, args),
    (error: unknown) => {
      settleFailure(plan, call, start, error, args);
      throw error;
    },
  );
}

/** A settled value under `streaming: true`: a stream is measured to its end, anything else counted now. */
function settleValue(plan: Plan, resolved: Resolved, call: PredictionSeries, start: number, value: unknown, args: unknown[]): unknown {
  if (isNodeStream(value)) return instrumentNodeStream(value, call, start, (error) => plan.errorType(error, args));
  if (isAsyncIterable(value)) return instrumentStream(value, call, start, (error) => plan.errorType(error, args), streamEnd(plan, call, start));
  return settleSync(plan, resolved, call, start, value, args);
}

function settleStream(plan: Plan, _resolved: Resolved, call: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  return instrumentStream(result as AsyncIterable<unknown>, call, start, (error) => plan.errorType(error, args), streamEnd(plan, call, start));
}

function settleAny(plan: Plan, resolved: Resolved, call: PredictionSeries, start: number, result: unknown, args: unknown[]): unknown {
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) return settleSync(plan, resolved, call, start, result, args);
  let then: unknown;
  let native = false;
  try {
    then = (result as { then?: unknown }).then;
    native = typeof then === 'function' && Object.getPrototypeOf(result) === Promise.prototype;
  } catch {
    // A revoked Proxy or a throwing getter: treat as a plain value.
    then = undefined;
  }
  if (typeof then === 'function') {
    if (native) return plan.streaming === true ? settleNativePromisedStream(plan, resolved, call, start, result, args) : settleNativePromise(plan, resolved, call, start, result, args);
    return settleThenable(plan, resolved, call, start, result as object, then as PromiseLike<unknown>['then'], args);
  }
  if (plan.streaming !== false) {
    if (isNodeStream(result)) return instrumentNodeStream(result, call, start, (error) => plan.errorType(error, args));
    if (isAsyncIterable(result)) return instrumentStream(result, call, start, (error) => plan.errorType(error, args), streamEnd(plan, call, start));
  }
  return settleSync(plan, resolved, call, start, result, args);
}

/**
 * Any thenable but a native promise: never call its `then()` ourselves (a
 * lazy thenable runs its query in `then`). The caller gets the very same
 * object, with an own non-enumerable `then` that calls the original exactly
 * once per call of the caller's and measures the callbacks it hands over.
 */
function settleThenable(
  plan: Plan,
  resolved: Resolved,
  call: PredictionSeries,
  start: number,
  result: object,
  original: PromiseLike<unknown>['then'],
  args: unknown[],
): unknown {
  const end = new CallEnd(call, start, false);
  const streaming = plan.streaming === true;
  const then = function (this: unknown, onFulfilled?: unknown, onRejected?: unknown): unknown {
    try {
      return callThen(this, onFulfilled, onRejected);
    } catch (error) {
      // A then() that throws: the caller gets the throw, the call is a failure.
      if (end.claim()) settleFailure(plan, call, start, error, args);
      throw error;
    }
  };
  const callThen = (self: unknown, onFulfilled?: unknown, onRejected?: unknown): unknown =>
    Reflect.apply(original, self, [
      (value: unknown) => {
        let seen = value;
        // Under streaming: true a stream's own end counts the call.
        if (end.claim()) seen = streaming ? settleValue(plan, resolved, call, start, value, args) : settleSync(plan, resolved, call, start, value, args);
        return typeof onFulfilled === 'function' ? onFulfilled(seen) : seen;
      },
      (error: unknown) => {
        if (end.claim()) settleFailure(plan, call, start, error, args);
        if (typeof onRejected === 'function') return onRejected(error);
        throw error;
      },
    ]);
  let installed = false;
  try {
    installed = Object.isExtensible(result) && Reflect.defineProperty(result, 'then', { value: then, writable: true, configurable: true, enumerable: false });
  } catch (err) {
    reportInternalError('then() of a returned thenable', err);
  }
  if (!installed) {
    // Frozen, sealed, or a Proxy that refuses: counted as done when returned.
    end.succeed();
    return result;
  }
  releaseWhenCollected(result, end);
  return result;
}
