import { DEFERRED_MAX, deferred, LOST, scheduleFlush } from './deferred.js';
import { reportInternalError } from './diagnostics.js';
import type { CallSeries } from './recorder/recorder.js';
import { COUNT_IN_FLIGHT } from './recorder/native/series.js';

/**
 * The in-flight count's place in a series' counts, as a module-local constant:
 * the catches that take a call out of flight may run out of stack, so they
 * make no call at all (an imported binding can be a getter under some
 * bundlers and test runners; an accessor is a call).
 */
const IN_FLIGHT = COUNT_IN_FLIGHT;

const SUCCEED = 0;
const FAIL = 1;
const CANCEL = 2;

/*
 * Module-local aliases of the deferred table: the catch that writes it runs
 * out of stack and must not call anything, and a module loader may turn a
 * read of an imported binding into a getter call (see instrument.ts).
 */
const work = deferred;
const WORK_SIZE = DEFERRED_MAX;
const WORK_LOST = LOST;

/**
 * The end of one call whose result outlives the return: a stream, or a
 * thenable that the caller settles later. Counted once, whichever way it
 * ends. Also the held value of {@link abandoned}: it must never reference
 * the caller's object, or that object could never be collected.
 *
 * @internal
 */
export class CallEnd {
  items = 0;
  ended = false;

  constructor(
    /** The series object `begin()` returned for this call. */
    readonly call: CallSeries,
    readonly start: number,
    /** Whether items are counted (iterators) or unknown (Node streams, read without a 'data' listener). */
    private readonly _countsItems: boolean,
  ) {}

  /** One item arrived; `_value` is for subclasses (a generative call reads usage from it). */
  item(_value?: unknown): void {
    if (this.items++ === 0 && !this.ended) this.call.firstItem(elapsed(this.start));
  }

  /** The stream failed with `error` (a subclass may count an abort as cancelled). */
  failed(error: unknown, errorType: (error: unknown) => string): void {
    this.fail(errorType(error));
  }

  /** The consumer closed the stream before its end (`break`, `return()`): a success, it chose to. */
  closed(): void {
    this.succeed();
  }

  succeed(): void {
    this._finish(SUCCEED, '');
  }

  fail(errorType: string): void {
    this._finish(FAIL, errorType);
  }

  /** Dropped unfinished (garbage-collected): counted as `status="cancelled"`, not as an error. */
  cancel(): void {
    this._finish(CANCEL, '');
  }

  /**
   * Takes the end for the caller, who records it (a thenable's settlement);
   * false if already ended. Throws only before taking it (out of stack).
   */
  claim(): boolean {
    if (this.ended) return false;
    this.ended = true;
    try {
      abandoned.unregister(this);
    } catch {
      // Out of stack: the registry's callback finds the end taken.
    }
    return true;
  }

  /**
   * Ends the call once. Throws only before taking the end (out of stack at
   * its first frame): the call is then still open, for a later end or the
   * garbage collector. Once taken, the end never throws and the call always
   * leaves flight: if recording runs out of stack partway, the -1 is taken
   * here with field updates alone (see deferred.ts).
   */
  private _finish(how: number, errorType: string): void {
    if (!this.claim()) return;
    const call = this.call;
    try {
      if (this._countsItems) call.streamItems(this.items);
      if (how === SUCCEED) call.succeed(elapsed(this.start));
      else if (how === FAIL) call.fail(elapsed(this.start), errorType);
      else call.cancel();
    } catch (failure) {
      const count = call.handle.native;
      const slot = count.at + IN_FLIGHT;
      if (count.counts[slot]! > 0) count.counts[slot]!--;
      const i = work.top;
      if (i < WORK_SIZE) {
        work.kinds[i] = WORK_LOST;
        work.calls[i] = call;
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
}

/**
 * Releases calls whose result was dropped unfinished: a stream never read or
 * read partly, a lazy thenable never awaited. Without this, each such call
 * would keep `ml_predictions_in_flight` up for the life of the process.
 * https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/FinalizationRegistry
 */
const abandoned = new FinalizationRegistry<CallEnd>((end) => {
  try {
    end.cancel();
  } catch (err) {
    reportInternalError('release of an abandoned result', err);
  }
});

/** Ends `end` as cancelled when `target` is garbage-collected first. @internal */
export function releaseWhenCollected(target: object, end: CallEnd): void {
  try {
    abandoned.register(target, end, end);
  } catch (err) {
    // A non-registrable target (a registered symbol): counted now instead.
    reportInternalError('release of an abandoned result', err);
    end.succeed();
  }
}

/**
 * An async iterator that passes every call through to the source's methods
 * and reports the end. Values, errors and `done` come back unchanged. The
 * consumer stopping early (`break`, `return()`) is a success: it chose to.
 */
class InstrumentedIterator<T, TReturn, TNext> implements AsyncIterableIterator<T> {
  constructor(
    private readonly _source: AsyncIterator<T, TReturn, TNext>,
    private readonly _next: AsyncIterator<T, TReturn, TNext>['next'],
    private readonly _return: AsyncIterator<T, TReturn, TNext>['return'],
    private readonly _throw: AsyncIterator<T, TReturn, TNext>['throw'],
    private readonly _end: CallEnd,
    private readonly _errorType: (error: unknown) => string,
  ) {}

  async next(...args: [] | [TNext]): Promise<IteratorResult<T, TReturn>> {
    return this._observe(() => this._next.apply(this._source, args));
  }

  /*
   * The end's methods throw only before taking the end, out of stack: the
   * consumer's call still goes through untouched, and the call stays open
   * for a later end or the garbage collector.
   */

  async return(value?: TReturn | PromiseLike<TReturn>): Promise<IteratorResult<T, TReturn>> {
    try {
      this._end.closed();
    } catch {
      // See above.
    }
    if (typeof this._return === 'function') return this._return.call(this._source, value);
    return { done: true, value: (await value) as TReturn };
  }

  async throw(error?: unknown): Promise<IteratorResult<T, TReturn>> {
    const method = this._throw;
    if (typeof method === 'function') return this._observe(() => method.call(this._source, error));
    try {
      this._end.failed(error, this._errorType);
    } catch {
      // See above.
    }
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async _observe(step: () => Promise<IteratorResult<T, TReturn>>): Promise<IteratorResult<T, TReturn>> {
    let result: IteratorResult<T, TReturn>;
    try {
      result = await step();
    } catch (error) {
      try {
        this._end.failed(error, this._errorType);
      } catch {
        // See above.
      }
      throw error;
    }
    try {
      if (result.done === true) this._end.succeed();
      else this._end.item(result.value);
    } catch {
      // See above.
    }
    return result;
  }
}

type AnyIterator = AsyncIterator<unknown, unknown, unknown>;


/** Defines a non-enumerable own method, as class methods are; false when the object refuses it. */
function defineOwn(target: object, key: PropertyKey, value: unknown): boolean {
  return Reflect.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * Measures a returned async iterable while the consumer reads it, and gives
 * the caller the very same object whenever it can:
 * - an iterator (an async generator object) gets own `next` / `return` /
 *   `throw` that forward to its own methods (only those it had);
 * - any other iterable (an SDK's stream object) gets an own
 *   `[Symbol.asyncIterator]` that measures the iterator its method returns.
 * The own properties are non-enumerable, so `Object.keys`, `for...in` and
 * JSON are unchanged; `Object.getOwnPropertyNames` shows them. A frozen or
 * non-extensible object cannot take them: the caller then gets a measuring
 * iterator (for an iterator) or a Proxy that only swaps
 * `[Symbol.asyncIterator]` (for other iterables).
 *
 * Whichever it is, the call is counted once when the stream ends, fails, is
 * closed by the consumer, or (unread or partly read) is garbage-collected.
 *
 * @internal
 */
export function instrumentStream<T>(
  source: AsyncIterable<T>,
  call: CallSeries,
  start: number,
  errorType: (error: unknown) => string,
  /** A call end of its own (a generative call's, which reads every item); a plain one by default. */
  end: CallEnd = new CallEnd(call, start, true),
): AsyncIterable<T> {
  try {
    try {
      const result = measureIterable(source as unknown as AnyIterator & AsyncIterable<unknown>, end, errorType);
      // What the caller holds is what must be collected to end the call.
      releaseWhenCollected(result, end);
      return result as AsyncIterable<T>;
    } catch (err) {
      // A getter that throws, a revoked Proxy: hand the object back untouched.
      reportInternalError('stream instrumentation', err);
      end.succeed();
      return source;
    }
  } catch (failure) {
    // Out of stack (see deferred.ts): the end is taken so what was set up
    // cannot end the call, and the wrapper takes it out of flight. Field
    // updates only.
    if (end.ended) return source;
    end.ended = true;
    throw failure;
  }
}

function measureIterable(source: AnyIterator & AsyncIterable<unknown>, end: CallEnd, errorType: (error: unknown) => string): object {
  const next = source.next;
  if (typeof next === 'function') {
    const ret = source.return;
    const thr = source.throw;
    const iterator = new InstrumentedIterator(source, next, ret, thr, end, errorType);
    if (!Object.isExtensible(source)) return iterator;
    const ok =
      defineOwn(source, 'next', function next(...args: [] | [unknown]) {
        return iterator.next(...args);
      }) &&
      (typeof ret !== 'function' ||
        defineOwn(source, 'return', function return_(value?: unknown) {
          return iterator.return(value);
        })) &&
      (typeof thr !== 'function' ||
        defineOwn(source, 'throw', function throw_(error?: unknown) {
          return iterator.throw(error);
        }));
    return ok ? source : iterator;
  }
  const open = source[Symbol.asyncIterator];
  const measured = function (this: unknown): AsyncIterator<unknown> {
    const iterator = open.call(this) as AnyIterator;
    return new InstrumentedIterator(iterator, iterator.next, iterator.return, iterator.throw, end, errorType);
  };
  if (Object.isExtensible(source) && defineOwn(source, Symbol.asyncIterator, measured)) return source;
  return new Proxy(source, {
    get(target, key) {
      if (key === Symbol.asyncIterator) return () => measured.call(target);
      const value: unknown = Reflect.get(target, key, target);
      // Bind methods to the real object: class methods that use #private
      // fields throw when called with the Proxy as `this`.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** What core needs of a Node.js stream, found by duck-typing (no node:stream import). */
interface NodeStreamLike {
  pipe(...args: unknown[]): unknown;
  on(event: string, listener: (this: NodeStreamLike, ...args: unknown[]) => void): unknown;
  readonly errored?: unknown;
  readonly readableEnded?: boolean;
}

/**
 * A Node.js stream (`Readable`, `Duplex`, anything with `pipe` and `on`),
 * recognised by its shape so core loads on runtimes without `node:stream`.
 * @internal
 */
export function isNodeStream(value: unknown): value is NodeStreamLike {
  if (value === null || typeof value !== 'object') return false;
  try {
    return typeof (value as NodeStreamLike).pipe === 'function' && typeof (value as NodeStreamLike).on === 'function';
  } catch {
    return false;
  }
}

/**
 * Counts a returned Node.js stream once, however it is consumed (`pipe`,
 * `stream.pipeline`, `for await`, `read()`): when it emits 'end' (success),
 * or 'close' (an error if `stream.errored` holds one, else a success: the
 * consumer destroyed it early), or, never closed, when it is
 * garbage-collected (cancelled). Only 'end' and 'close' are
 * listened to: a 'data' listener would switch the stream into flowing mode,
 * and an 'error' listener would swallow an error that crashes the process
 * without one. `stream.finished()` adds an 'error' listener, so it is not
 * used. Items and time to first item are not measured (they need 'data').
 * The caller gets the very same object.
 *
 * @internal
 */
export function instrumentNodeStream<S extends NodeStreamLike>(
  stream: S,
  call: CallSeries,
  start: number,
  errorType: (error: unknown) => string,
): S {
  const end = new CallEnd(call, start, false);
  const done = function (this: NodeStreamLike): void {
    if (end.ended) return;
    let error: unknown;
    try {
      error = this.errored;
    } catch {
      error = undefined;
    }
    if (error !== undefined && error !== null) end.fail(errorType(error));
    else end.succeed();
  };
  try {
    try {
      stream.on('end', done);
      stream.on('close', done);
      releaseWhenCollected(stream, end);
    } catch (err) {
      reportInternalError('stream instrumentation', err);
      end.succeed();
    }
  } catch (failure) {
    // Out of stack: see instrumentStream.
    if (end.ended) return stream;
    end.ended = true;
    throw failure;
  }
  return stream;
}

/** Whether a value can be iterated with `for await` (and is not a promise). @internal */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
  } catch {
    return false;
  }
}

/**
 * The `performance` object, read once: in Node.js `globalThis.performance` is
 * a lazy getter, which costs about 6 ns on every read of the clock. The object
 * is kept, not its `now` method, so a test that replaces `performance.now`
 * (a spy, fake timers) still controls the clock.
 */
const perf = performance;

/** A `performance.now()` reading, for {@link elapsed}. @internal */
export function now(): number {
  return perf.now();
}

/** Seconds since `start` (a {@link now} reading). @internal */
export function elapsed(start: number): number {
  return (perf.now() - start) / 1000;
}
