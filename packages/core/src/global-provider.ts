import { metrics, type MeterProvider } from '@opentelemetry/api';

/**
 * Instruments taken from one MeterProvider, taken again when the global
 * provider changes. The JS metrics API has no proxy MeterProvider (the
 * trace API has ProxyTracerProvider; metrics has none): instruments taken
 * from the no-op provider before an SDK registers stay no-ops, and
 * decorators and module-level setup run before `start()`. So every user of the global provider asks
 * through this: one reference comparison per use.
 *
 * @internal
 */
export class ProviderBound<T> {
  private _provider: MeterProvider | undefined;
  private _value: T | undefined;

  constructor(
    private readonly _create: (provider: MeterProvider) => T,
    /** A fixed provider; by default the global one, looked up on every use. */
    private readonly _fixed?: MeterProvider,
  ) {}

  /** The instruments of the provider in use now (created on first use or after a change). */
  get(): T {
    const provider = this._fixed ?? metrics.getMeterProvider();
    if (provider !== this._provider || this._value === undefined) {
      this._provider = provider;
      this._value = this._create(provider);
    }
    return this._value;
  }

  /** Whether the next {@link get} will create the instruments anew. */
  stale(): boolean {
    return (this._fixed ?? metrics.getMeterProvider()) !== this._provider || this._value === undefined;
  }
}
