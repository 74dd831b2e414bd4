import type { PredictionSeries } from './recorder/recorder.js';

/**
 * Measures one streamed prediction: time to first item, items produced, and
 * the outcome when the stream ends: exhausted or closed early by the consumer
 * (`break`) is a success, an error from the source is a failure. Counted
 * once, whatever the consumer does afterwards.
 */
class StreamTracker {
  private _items = 0;
  private _ended = false;

  constructor(
    private readonly _series: PredictionSeries,
    private readonly _start: number,
    private readonly _errorType: (error: unknown) => string,
  ) {}

  item(): void {
    if (this._items++ === 0 && !this._ended) this._series.firstItem(elapsed(this._start));
  }

  end(thrown?: { error: unknown }): void {
    if (this._ended) return;
    this._ended = true;
    this._series.streamItems(this._items);
    if (thrown === undefined) this._series.succeed(elapsed(this._start));
    else this._series.fail(elapsed(this._start), this._errorType(thrown.error));
  }
}

/**
 * An async iterator that passes every call through to the source iterator
 * and reports to the tracker. Values, errors and `done` come back unchanged.
 */
class InstrumentedIterator<T, TReturn, TNext> implements AsyncIterableIterator<T> {
  constructor(
    private readonly _source: AsyncIterator<T, TReturn, TNext>,
    private readonly _tracker: StreamTracker,
  ) {}

  async next(...args: [] | [TNext]): Promise<IteratorResult<T, TReturn>> {
    return this._observe(() => this._source.next(...args));
  }

  async return(value?: TReturn | PromiseLike<TReturn>): Promise<IteratorResult<T, TReturn>> {
    // The consumer stopped early (`break`, `return`): a success, not an error.
    this._tracker.end();
    if (typeof this._source.return === 'function') return this._source.return(value);
    return { done: true, value: (await value) as TReturn };
  }

  async throw(error?: unknown): Promise<IteratorResult<T, TReturn>> {
    const source = this._source;
    if (typeof source.throw === 'function') return this._observe(() => source.throw!(error));
    this._tracker.end({ error });
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
      this._tracker.end({ error });
      throw error;
    }
    if (result.done === true) this._tracker.end();
    else this._tracker.item();
    return result;
  }
}

/**
 * Wraps a returned async iterable so the stream is measured while the
 * consumer reads it.
 * - An iterator (an async generator object) is replaced by an iterator that
 *   forwards `next` / `return` / `throw`.
 * - Any other iterable (an SDK's stream object with methods of its own) is
 *   kept whole behind a Proxy that only swaps `[Symbol.asyncIterator]`, so
 *   the caller keeps the object's other methods and properties.
 *
 * @internal
 */
export function instrumentStream<T>(
  source: AsyncIterable<T>,
  series: PredictionSeries,
  start: number,
  errorType: (error: unknown) => string,
): AsyncIterable<T> {
  const tracker = new StreamTracker(series, start, errorType);
  if (typeof (source as Partial<AsyncIterator<T>>).next === 'function') {
    return new InstrumentedIterator(source as unknown as AsyncIterator<T>, tracker);
  }
  return new Proxy(source, {
    get(target, key) {
      if (key === Symbol.asyncIterator) {
        return () => new InstrumentedIterator(target[Symbol.asyncIterator](), tracker);
      }
      const value: unknown = Reflect.get(target, key, target);
      // Bind methods to the real object: class methods that use #private
      // fields throw when called with the Proxy as `this`.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
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

/** Seconds since `start` (a `performance.now()` reading). @internal */
export function elapsed(start: number): number {
  return (performance.now() - start) / 1000;
}
