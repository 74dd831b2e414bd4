import { observeBatchSize, observeConfidence, observeInput, observeOutput } from './observe.js';
import type { InstrumentOptions } from './options.js';
import { reportInternalError } from './diagnostics.js';
import { InferometerConfigError } from './errors.js';
import { compilePlan, type Plan, type Resolved } from './plan.js';
import { runtime, type Runtime } from './runtime.js';
import type { CallSeries } from './recorder/recorder.js';
import { CANCELLED } from './recorder/handle.js';
import { DROP_REASONS } from './catalog.js';
import { DEFERRED_MAX, deferred, FAILED, LOST, scheduleFlush, UNMEASURED } from './deferred.js';
import { GenerationCallEnd, isAbort } from './llm/generation.js';
import { CallEnd, elapsed, instrumentNodeStream, now, instrumentStream, isAsyncIterable, isNodeStream, releaseWhenCollected } from './stream.js';
import { COUNT_IN_FLIGHT } from './recorder/native/series.js';

/**
 * The in-flight count's place in a series' counts, as a module-local constant:
 * the catches that take a call out of flight may run out of stack, so they
 * make no call at all (an imported binding can be a getter under some
 * bundlers and test runners; an accessor is a call).
 */
const IN_FLIGHT = COUNT_IN_FLIGHT;

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
 * Exact in-flight when our own code runs out of stack. A stack overflow
 * through an instrumented recursive function unwinds through every wrapper
 * frame with no stack to spare, and may strike inside our own bookkeeping
 * before or after the function (the last frame). The rules that keep
 * in-flight exact whatever frame it strikes in:
 * - begin() takes the +1 as its last step and every end the -1 as its last
 *   (PredictionSeries): one that throws has not moved in-flight;
 * - a catch that must take a call out of flight does it with field updates
 *   on `call.handle.native` and stores what is left to do in the deferred
 *   table (deferred.ts) with plain stores: a catch in a frame out of stack
 *   cannot call anything. A frame further up with room, or a microtask,
 *   records it;
 * - a settle function that throws has not ended the call and has left
 *   nothing that could end it later (see settleThenable and
 *   instrumentStream), so the wrapper's catch takes it out of flight once.
 * The caller always gets what the function gave: its value, or its very
 * error; our failure only costs the call's outcome, counted as a dropped
 * observation (reason `internal_error`) and reported to `diag` once.
 */

deferred.flush = doDeferredWork;

/*
 * Module-local aliases of the table and its constants: the catches that use
 * them run out of stack and must not call anything, and a module loader may
 * turn a read of an imported binding into a getter call (vitest's module
 * runner does; so does webpack without module concatenation).
 */
const work = deferred;
const WORK_SIZE = DEFERRED_MAX;
const WORK_FAILED = FAILED;
const WORK_LOST = LOST;
const WORK_UNMEASURED = UNMEASURED;

/**
 * Does the deferred work, newest first. `deep` (from a wrapper's catch,
 * maybe short of stack): throws, leaving the rest stored, while the stack is
 * too short, and an entry whose recording fails partway is stored back as
 * lost. From a microtask (the whole stack): an entry whose recording fails
 * is dropped, so a failure that is not for lack of stack cannot loop.
 */
function doDeferredWork(deep: boolean): void {
  while (work.top > 0) {
    const i = work.top - 1;
    const kind = work.kinds[i]!;
    const error = work.errors[i];
    // After a stack overflow, make sure recording has room before taking
    // the entry. A call that failed with an error of its own has the room.
    if (deep && (kind !== FAILED || error instanceof RangeError)) probeStack(STACK_PROBE_DEPTH);
    const call = work.calls[i];
    const plan = work.plans[i];
    const start = work.starts[i]!;
    const args = work.args[i];
    work.calls[i] = undefined;
    work.plans[i] = undefined;
    work.errors[i] = undefined;
    work.args[i] = undefined;
    work.top = i;
    try {
      if (kind === FAILED) recordFailure(plan!, call!, start, error, args!);
      else recordLoss(kind, call, plan, error);
    } catch (failure) {
      if (!deep) continue;
      // Out of stack partway: what was recorded stays, and the entry comes
      // back as a loss for a frame with more room to count.
      work.kinds[i] = WORK_LOST;
      work.calls[i] = call;
      work.plans[i] = plan;
      work.errors[i] = failure;
      work.top = i + 1;
      throw failure;
    }
  }
  if (work.missed > 0) {
    const missed = work.missed;
    work.missed = 0;
    reportInternalError('record (deferred)', new Error(`${missed} outcomes recorded out of stack did not fit the deferred table and were not counted`));
  }
}

/** The outcome of a call that threw (its -1 was taken where it threw). */
function recordFailure(plan: Plan, call: CallSeries, start: number, error: unknown, args: unknown[]): void {
  const generation = plan.generation;
  if (generation === undefined) {
    call.outcome(elapsed(start), plan.errorType(error, args));
    return;
  }
  // A generative function that throws before returning its promise or
  // stream (a bad argument, an abort already signalled) ends as a call
  // does when its promise rejects: finish reason error, or cancelled.
  if (isAbort(error)) {
    generation.cancelled(call, undefined);
    call.outcome(0, CANCELLED);
    return;
  }
  const type = plan.errorType(error, args);
  const seconds = elapsed(start);
  generation.failed(call, seconds, type);
  call.outcome(seconds, type);
}

/** A call whose outcome our code lost, or that ran unmeasured: reported once, counted as dropped. */
function recordLoss(kind: number, call: CallSeries | undefined, plan: Plan | undefined, error: unknown): void {
  reportInternalError(kind === UNMEASURED ? 'call bookkeeping' : 'record', error);
  if (plan !== undefined) plan.recorder.dropped(plan.model, DROP_REASONS.internal);
  else if (call !== undefined) call.handle.recorder.dropped(call.handle.version.model.name, DROP_REASONS.internal);
}

/**
 * Takes a call out of flight and defers counting its lost outcome. Field
 * updates, then one call that may fail: for frames with stack to spare
 * (promise reactions run from the microtask queue); the catches of frames
 * that may be out of stack spell it out instead.
 */
function abandon(call: CallSeries, plan: Plan, failure: unknown): void {
  const count = call.handle.native;
  const slot = count.at + IN_FLIGHT;
  if (count.counts[slot]! > 0) count.counts[slot]!--;
  const i = work.top;
  if (i < WORK_SIZE) {
    work.kinds[i] = WORK_LOST;
    work.calls[i] = call;
    work.plans[i] = plan;
    work.errors[i] = failure;
    work.top = i + 1;
  } else work.missed++;
  try {
    scheduleFlush();
  } catch {
    // Out of stack after all: the next flush finds the entry.
  }
}

/** Frames the probe takes: well above what recording a failure needs (the SDK path is about 20 frames). */
const STACK_PROBE_DEPTH = 200;
function probeStack(depth: number): number {
  return depth === 0 ? 0 : probeStack(depth - 1) + 1;
}

/**
 * Builds the wrapper for a validated plan. Shared with the decorator.
 *
 * Two wrapper functions, one body of rules: V8 keeps one set of type
 * feedback and one optimized code object for all the closures of a
 * function literal, so with a single literal every sync model's wrapper was
 * compiled for the async and streaming results of the others (the hot-path
 * bench, which instruments a sync and an async function in one process:
 * 1.38-1.41x the two timer reads with one literal, 1.26x with two; 1.28x
 * and 1.16x without confidence). {@link plainWrapper} serves sync plans
 * with nothing but confidence to read after the call, the common case;
 * {@link generalWrapper} everything else. The out-of-stack rules above hold
 * in both, line for line: instrument.test.ts runs its stack-overflow sweeps
 * through each.
 *
 * @internal
 */
export function wrapFunction<F extends AnyFunction>(fn: F, plan: Plan): F {
  const settle = chooseSettle(fn, plan);
  const wrapper = settle === settleAny && plan.generation === undefined && plan.phases === undefined ? plainWrapper(fn, plan) : generalWrapper(fn, plan, settle);
  // Keep what callers and frameworks read off the function (NestJS reads
  // `name`; arity checks read `length`).
  Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  return wrapper as unknown as F;
}

/** The wrapper of any plan: the result is settled by `settle`, chosen once for the function's kind ({@link chooseSettle}). */
function generalWrapper(fn: AnyFunction, plan: Plan, settle: Settle): AnyFunction {
  return function (this: unknown, ...args: unknown[]): unknown {
    let resolved: Resolved;
    let call: CallSeries | undefined;
    let start: number;
    try {
      resolved = plan.resolve(this, args);
      if (plan.batchSize !== undefined) observeBatchSize(plan, resolved.series, args);
      if (resolved.observer !== undefined) observeInput(plan, resolved.observer, args);
      call = resolved.series.begin();
      start = now();
    } catch (failure) {
      // Our bookkeeping failed before the call (out of stack): the call
      // runs unmeasured. Field updates only (see above).
      if (call !== undefined) {
        const count = call.handle.native;
        const slot = count.at + IN_FLIGHT;
        if (count.counts[slot]! > 0) count.counts[slot]!--;
      }
      const i = work.top;
      if (i < WORK_SIZE) {
        work.kinds[i] = WORK_UNMEASURED;
        work.plans[i] = plan;
        work.errors[i] = failure;
        work.top = i + 1;
      } else work.missed++;
      try {
        scheduleFlush();
      } catch {
        // Still out of stack: the next flush finds the entry.
      }
      return fn.apply(this, args);
    }
    let result: unknown;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      // Out of flight first, then the outcome stored, with field updates
      // only; then counted here if the stack allows, else further up.
      const count = call.handle.native;
      const slot = count.at + IN_FLIGHT;
      if (count.counts[slot]! > 0) count.counts[slot]!--;
      const i = work.top;
      if (i < WORK_SIZE) {
        work.kinds[i] = WORK_FAILED;
        work.calls[i] = call;
        work.plans[i] = plan;
        work.starts[i] = start;
        work.errors[i] = error;
        work.args[i] = args;
        work.top = i + 1;
      } else work.missed++;
      try {
        doDeferredWork(true);
      } catch {
        try {
          scheduleFlush();
        } catch {
          // No stack to spare yet: a wrapper frame further up flushes.
        }
      }
      throw error;
    }
    try {
      return settle(plan, resolved, call, start, result, args);
    } catch (failure) {
      // Settling ran out of stack before ending the call, and left nothing
      // that could end it: out of flight here, the result handed back as
      // the function returned it (a promise unobserved, so its rejection
      // reaches the caller as without us). Field updates only.
      const count = call.handle.native;
      const slot = count.at + IN_FLIGHT;
      if (count.counts[slot]! > 0) count.counts[slot]!--;
      const i = work.top;
      if (i < WORK_SIZE) {
        work.kinds[i] = WORK_LOST;
        work.calls[i] = call;
        work.plans[i] = plan;
        work.errors[i] = failure;
        work.top = i + 1;
      } else work.missed++;
      try {
        scheduleFlush();
      } catch {
        // Still out of stack: the next flush finds the entry.
      }
      return result;
    }
  };
}

/**
 * The wrapper of a sync plan without `phases` or `llm` ({@link settleAny}'s
 * plans). A plain result (neither a thenable nor a stream) is settled in
 * the wrapper itself: that is {@link settleSync}'s work for such a plan,
 * written out so the JIT keeps it in the wrapper's own code. Behind the two
 * calls of settleAny and settleSync it did not fit V8's inlining budget,
 * which cost 15-25 % of the two timer reads. Any other result, or a plan
 * with a drift observer, goes to {@link settleProbed} as from settleAny.
 */
function plainWrapper(fn: AnyFunction, plan: Plan): AnyFunction {
  const confidence = plan.confidence !== undefined;
  const streams = plan.streaming !== false;
  return function (this: unknown, ...args: unknown[]): unknown {
    let resolved: Resolved;
    let call: CallSeries | undefined;
    let start: number;
    try {
      resolved = plan.resolve(this, args);
      if (plan.batchSize !== undefined) observeBatchSize(plan, resolved.series, args);
      if (resolved.observer !== undefined) observeInput(plan, resolved.observer, args);
      call = resolved.series.begin();
      start = now();
    } catch (failure) {
      // Our bookkeeping failed before the call (out of stack): the call
      // runs unmeasured. Field updates only (see above).
      if (call !== undefined) {
        const count = call.handle.native;
        const slot = count.at + IN_FLIGHT;
        if (count.counts[slot]! > 0) count.counts[slot]!--;
      }
      const i = work.top;
      if (i < WORK_SIZE) {
        work.kinds[i] = WORK_UNMEASURED;
        work.plans[i] = plan;
        work.errors[i] = failure;
        work.top = i + 1;
      } else work.missed++;
      try {
        scheduleFlush();
      } catch {
        // Still out of stack: the next flush finds the entry.
      }
      return fn.apply(this, args);
    }
    let result: unknown;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      // Out of flight first, then the outcome stored, with field updates
      // only; then counted here if the stack allows, else further up.
      const count = call.handle.native;
      const slot = count.at + IN_FLIGHT;
      if (count.counts[slot]! > 0) count.counts[slot]!--;
      const i = work.top;
      if (i < WORK_SIZE) {
        work.kinds[i] = WORK_FAILED;
        work.calls[i] = call;
        work.plans[i] = plan;
        work.starts[i] = start;
        work.errors[i] = error;
        work.args[i] = args;
        work.top = i + 1;
      } else work.missed++;
      try {
        doDeferredWork(true);
      } catch {
        try {
          scheduleFlush();
        } catch {
          // No stack to spare yet: a wrapper frame further up flushes.
        }
      }
      throw error;
    }
    try {
      const kind = probe(result, streams);
      if (kind !== PLAIN || resolved.observer !== undefined) return settleProbed(plan, resolved, call, start, result, args, kind);
      // settleSync, for this plan (see above).
      const seconds = elapsed(start);
      if (confidence) observeConfidence(plan, call, result);
      call.succeed(seconds);
      return result;
    } catch (failure) {
      // Settling ran out of stack before ending the call, and left nothing
      // that could end it: out of flight here, the result handed back as
      // the function returned it (a promise unobserved, so its rejection
      // reaches the caller as without us). Field updates only.
      const count = call.handle.native;
      const slot = count.at + IN_FLIGHT;
      if (count.counts[slot]! > 0) count.counts[slot]!--;
      const i = work.top;
      if (i < WORK_SIZE) {
        work.kinds[i] = WORK_LOST;
        work.calls[i] = call;
        work.plans[i] = plan;
        work.errors[i] = failure;
        work.top = i + 1;
      } else work.missed++;
      try {
        scheduleFlush();
      } catch {
        // Still out of stack: the next flush finds the entry.
      }
      return result;
    }
  };
}

/**
 * How a result is settled, chosen from the function's kind at decoration
 * time. A settle function that throws has not ended the call and has left
 * nothing that could end it later (the wrapper then takes it out of flight).
 */
type Settle = (plan: Plan, resolved: Resolved, call: CallSeries, start: number, result: unknown, args: unknown[]) => unknown;

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

/** Arguments handed to an output observer when a settlement has none (a thenable settled without them). */
const EMPTY_ARGS: readonly unknown[] = Object.freeze([]);

/** A value the call ended with; the call's end is the last step (so a throw leaves it open, see Settle). */
function settleSync(plan: Plan, resolved: Resolved, call: CallSeries, start: number, result: unknown, args?: unknown[]): unknown {
  const seconds = elapsed(start);
  if (plan.confidence !== undefined) observeConfidence(plan, call, result);
  if (resolved.observer !== undefined) observeOutput(plan, resolved.observer, result, args ?? EMPTY_ARGS);
  if (plan.generation !== undefined) plan.generation.settled(call, seconds, result);
  if (plan.phases !== undefined) plan.phases(call, result, args ?? []);
  call.succeed(seconds);
  return result;
}

/** A failed call; its end is the last step, as in {@link settleSync}. */
function settleFailure(plan: Plan, call: CallSeries, start: number, error: unknown, args: unknown[]): void {
  const generation = plan.generation;
  if (generation === undefined) {
    call.fail(elapsed(start), plan.errorType(error, args));
    return;
  }
  // A generative call: the caller's abort is a cancelled call, anything else an error.
  if (isAbort(error)) {
    generation.cancelled(call, undefined);
    call.cancel();
    return;
  }
  const type = plan.errorType(error, args);
  const seconds = elapsed(start);
  generation.failed(call, seconds, type);
  call.fail(seconds, type);
}

/** A promise reaction's success: the value goes on as it came, whatever our recording does. */
function fulfilled(settle: typeof settleSync, plan: Plan, resolved: Resolved, call: CallSeries, start: number, value: unknown, args: unknown[]): unknown {
  try {
    return settle(plan, resolved, call, start, value, args);
  } catch (failure) {
    abandon(call, plan, failure);
    return value;
  }
}

/** A promise reaction's failure: the very error goes on, whatever our recording does. */
function rejected(plan: Plan, call: CallSeries, start: number, error: unknown, args: unknown[]): never {
  try {
    settleFailure(plan, call, start, error, args);
  } catch (failure) {
    abandon(call, plan, failure);
  }
  throw error;
}

/** The end of a stream: a generative call's reads every item. */
function streamEnd(plan: Plan, call: CallSeries, start: number): CallEnd | undefined {
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
 * so an own `then` on the promise is never called by us. Chaining is the
 * only step: if it throws (out of stack), nothing was chained.
 */
function settleNativePromise(plan: Plan, resolved: Resolved, call: CallSeries, start: number, result: unknown, args: unknown[]): unknown {
  return promiseThen.call(
    result as Promise<unknown>,
    (value) => fulfilled(settleSync, plan, resolved, call, start, value, args),
    (error: unknown) => rejected(plan, call, start, error, args),
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
    return settleNativePromise;
  }
  return (_plan, resolved, call, start, result, args) =>
    promiseThen.call(
      result as Promise<unknown>,
      (value: unknown) => {
        try {
          const seconds = elapsed(start);
          if (confidence) observeConfidence(plan, call, value);
          const observer = resolved.observer;
          if (observer !== undefined) observeOutput(plan, observer, value, args);
          // Last, as in settleSync.
          call.succeed(seconds);
        } catch (failure) {
          abandon(call, plan, failure);
        }
        return value;
      },
      (error: unknown) => {
        try {
          call.fail(elapsed(start), errorType(error, args));
        } catch (failure) {
          abandon(call, plan, failure);
        }
        throw error;
      },
    );
}

/** `streaming: true` on a native promise: the chained promise resolves to the measured stream. */
function settleNativePromisedStream(plan: Plan, resolved: Resolved, call: CallSeries, start: number, result: unknown, args: unknown[]): unknown {
  return promiseThen.call(
    result as Promise<unknown>,
    (value) => fulfilled(settleValue, plan, resolved, call, start, value, args),
    (error: unknown) => rejected(plan, call, start, error, args),
  );
}

/** A settled value under `streaming: true`: a stream is measured to its end, anything else counted now. */
function settleValue(plan: Plan, resolved: Resolved, call: CallSeries, start: number, value: unknown, args: unknown[] = []): unknown {
  if (isNodeStream(value)) return instrumentNodeStream(value, call, start, (error) => plan.errorType(error, args));
  if (isAsyncIterable(value)) return instrumentStream(value, call, start, (error) => plan.errorType(error, args), streamEnd(plan, call, start));
  return settleSync(plan, resolved, call, start, value, args);
}

function settleStream(plan: Plan, _resolved: Resolved, call: CallSeries, start: number, result: unknown, args: unknown[]): unknown {
  return instrumentStream(result as AsyncIterable<unknown>, call, start, (error) => plan.errorType(error, args), streamEnd(plan, call, start));
}

function settleAny(plan: Plan, resolved: Resolved, call: CallSeries, start: number, result: unknown, args: unknown[]): unknown {
  return settleProbed(plan, resolved, call, start, result, args, probe(result, plan.streaming !== false));
}

/*
 * What a result is, as {@link probe} reads it: a plain value, a native
 * promise, a Node.js stream, an async iterable, or (any function) a
 * thenable whose `then` is that function. The `then` is handed on rather
 * than read again: a getter runs once per result, as without us.
 */
const PLAIN = 0;
const NATIVE_PROMISE = 1;
const NODE_STREAM = 2;
const ASYNC_ITERABLE = 3;
type ResultKind = typeof PLAIN | typeof NATIVE_PROMISE | typeof NODE_STREAM | typeof ASYNC_ITERABLE | PromiseLike<unknown>['then'];

/**
 * Reads a result's kind: a primitive is plain; of an object or function,
 * its `then` once, then (with `streams`) the stream methods. A revoked
 * Proxy or a throwing `then` getter is not a thenable (a stream, or a
 * plain value).
 */
function probe(result: unknown, streams: boolean): ResultKind {
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) return PLAIN;
  let then: unknown;
  let native = false;
  try {
    then = (result as { then?: unknown }).then;
    native = typeof then === 'function' && Object.getPrototypeOf(result) === Promise.prototype;
  } catch {
    // A revoked Proxy or a throwing getter: treat as a plain value.
    then = undefined;
  }
  if (typeof then === 'function') return native ? NATIVE_PROMISE : (then as PromiseLike<unknown>['then']);
  if (!streams) return PLAIN;
  if (isNodeStream(result)) return NODE_STREAM;
  if (isAsyncIterable(result)) return ASYNC_ITERABLE;
  return PLAIN;
}

/** Settles a result of a known {@link ResultKind}. */
function settleProbed(plan: Plan, resolved: Resolved, call: CallSeries, start: number, result: unknown, args: unknown[], kind: ResultKind): unknown {
  if (kind === PLAIN) return settleSync(plan, resolved, call, start, result, args);
  if (kind === NATIVE_PROMISE) return plan.streaming === true ? settleNativePromisedStream(plan, resolved, call, start, result, args) : settleNativePromise(plan, resolved, call, start, result, args);
  if (kind === NODE_STREAM) return instrumentNodeStream(result as Parameters<typeof instrumentNodeStream>[0], call, start, (error) => plan.errorType(error, args));
  if (kind === ASYNC_ITERABLE) return instrumentStream(result as AsyncIterable<unknown>, call, start, (error) => plan.errorType(error, args), streamEnd(plan, call, start));
  return settleThenable(plan, resolved, call, start, result as object, kind, args);
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
  call: CallSeries,
  start: number,
  result: object,
  original: PromiseLike<unknown>['then'],
  args: unknown[],
): unknown {
  const end = new CallEnd(call, start, false);
  try {
    const streaming = plan.streaming === true;
    // The caller's then() and its callbacks may run at any depth, out of
    // stack too: whatever our part does, the caller's callbacks get what
    // the thenable gave, and the thenable's own throw goes on as it was.
    const then = function (this: unknown, onFulfilled?: unknown, onRejected?: unknown): unknown {
      try {
        return callThen(this, onFulfilled, onRejected);
      } catch (error) {
        // A then() that throws: the caller gets the throw, the call is a failure.
        try {
          thenableFailed(end, plan, call, start, error, args);
        } catch {
          // Out of stack before taking the end: the call stays open for a later end or the garbage collector.
        }
        throw error;
      }
    };
    const callThen = (self: unknown, onFulfilled?: unknown, onRejected?: unknown): unknown =>
      Reflect.apply(original, self, [
        (value: unknown) => {
          let seen = value;
          try {
            seen = thenableFulfilled(end, streaming, plan, resolved, call, start, value, args);
          } catch {
            // As above.
          }
          return typeof onFulfilled === 'function' ? onFulfilled(seen) : seen;
        },
        (error: unknown) => {
          try {
            thenableFailed(end, plan, call, start, error, args);
          } catch {
            // As above.
          }
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
  } catch (failure) {
    // Out of stack (see Settle): the end is taken so the installed then()
    // cannot end the call, and the wrapper takes it out of flight. Field
    // updates only.
    if (end.ended) return result;
    end.ended = true;
    throw failure;
  }
}

/**
 * A thenable's value reached the caller's callback: the first one ends the
 * call. Throws only before taking the end; once taken, the call leaves
 * flight whatever recording does (field updates only in the catch: this may
 * run out of stack).
 */
function thenableFulfilled(end: CallEnd, streaming: boolean, plan: Plan, resolved: Resolved, call: CallSeries, start: number, value: unknown, args: unknown[]): unknown {
  if (!end.claim()) return value;
  try {
    // Under streaming: true a stream's own end counts the call.
    return streaming ? settleValue(plan, resolved, call, start, value, args) : settleSync(plan, resolved, call, start, value, args);
  } catch (failure) {
    const count = call.handle.native;
    const slot = count.at + IN_FLIGHT;
    if (count.counts[slot]! > 0) count.counts[slot]!--;
    const i = work.top;
    if (i < WORK_SIZE) {
      work.kinds[i] = WORK_LOST;
      work.calls[i] = call;
      work.plans[i] = plan;
      work.errors[i] = failure;
      work.top = i + 1;
    } else work.missed++;
    try {
      scheduleFlush();
    } catch {
      // Still out of stack: the next flush finds the entry.
    }
    return value;
  }
}

/** A thenable failed (its then() threw, or it rejected): as {@link thenableFulfilled}. */
function thenableFailed(end: CallEnd, plan: Plan, call: CallSeries, start: number, error: unknown, args: unknown[]): void {
  if (!end.claim()) return;
  try {
    settleFailure(plan, call, start, error, args);
  } catch (failure) {
    const count = call.handle.native;
    const slot = count.at + IN_FLIGHT;
    if (count.counts[slot]! > 0) count.counts[slot]!--;
    const i = work.top;
    if (i < WORK_SIZE) {
      work.kinds[i] = WORK_LOST;
      work.calls[i] = call;
      work.plans[i] = plan;
      work.errors[i] = failure;
      work.top = i + 1;
    } else work.missed++;
    try {
      scheduleFlush();
    } catch {
      // Still out of stack: the next flush finds the entry.
    }
  }
}
