import type { Plan } from './plan.js';
import type { CallSeries } from './recorder/recorder.js';

/*
 * Work our code could not finish for lack of stack, kept until a frame with
 * room does it.
 *
 * A stack overflow inside an instrumented recursive function unwinds through
 * every wrapper frame with no stack to spare: a single call there (even to
 * record the failure) overflows again. So the code on that path takes the
 * call out of flight with field updates alone (see CallSeries.handle) and
 * stores what is left to do here with plain stores into preallocated
 * arrays: no call, no allocation. A frame further up, with stack to spare,
 * or a microtask (with the whole stack) does the rest (instrument.ts).
 */

/** Entries the table holds; past that, entries are only counted in `missed`. @internal */
export const DEFERRED_MAX = 256;
/** The call threw: its outcome (not its in-flight -1, already taken) is still to record. @internal */
export const FAILED = 1;
/** Our recording of an ended call failed partway: the loss is still to count and report. @internal */
export const LOST = 2;
/** Our bookkeeping failed before the call began: the call ran unmeasured; still to count and report. @internal */
export const UNMEASURED = 3;

/** The table: one entry per index below `top`, newest last. @internal */
export interface DeferredWork {
  top: number;
  readonly kinds: Uint8Array;
  readonly calls: (CallSeries | undefined)[];
  readonly plans: (Plan | undefined)[];
  readonly starts: Float64Array;
  readonly errors: unknown[];
  readonly args: (unknown[] | undefined)[];
  /** Entries that found the table full (reported once; they cannot be counted per model). */
  missed: number;
  /** Whether a microtask is queued to flush. */
  scheduled: boolean;
  /**
   * Does the work (instrument.ts sets it: it knows how to record a failure,
   * and this module must stay importable by the code it serves without a
   * cycle). `deep`: called from a frame that may be short of stack.
   */
  flush: ((deep: boolean) => void) | undefined;
}

/** The process's table (per copy of this package: each copy flushes its own). @internal */
export const deferred: DeferredWork = {
  top: 0,
  kinds: new Uint8Array(DEFERRED_MAX),
  calls: new Array<CallSeries | undefined>(DEFERRED_MAX).fill(undefined),
  plans: new Array<Plan | undefined>(DEFERRED_MAX).fill(undefined),
  starts: new Float64Array(DEFERRED_MAX),
  errors: new Array<unknown>(DEFERRED_MAX).fill(undefined),
  args: new Array<unknown[] | undefined>(DEFERRED_MAX).fill(undefined),
  missed: 0,
  scheduled: false,
  flush: undefined,
};

/**
 * Queues a flush on a microtask, which runs with the whole stack. Throws
 * when out of stack itself (call it in a try): nothing is queued then, and
 * the next attempt queues.
 *
 * @internal
 */
export function scheduleFlush(): void {
  if (deferred.scheduled) return;
  // Queued first: if queueMicrotask throws, `scheduled` stays false.
  queueMicrotask(flushFromMicrotask);
  deferred.scheduled = true;
}

function flushFromMicrotask(): void {
  deferred.scheduled = false;
  deferred.flush?.(false);
}

/**
 * Does the deferred work now, with the stack this caller has: collections
 * call it first, so what they read is complete even when no wrapper frame or
 * microtask got to it (a recursive function that catches the overflow
 * itself, deep down, leaves no frame of ours a chance). Never throws.
 *
 * @internal
 */
export function flushDeferred(): void {
  if (deferred.top === 0 && deferred.missed === 0) return;
  try {
    deferred.flush?.(false);
  } catch {
    // The flush reports its own failures; nothing here may reach a collection.
  }
}
