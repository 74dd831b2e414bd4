import { InferometerConfigError } from './errors.js';
import { runtime, type Runtime } from './runtime.js';
import { NativeCollector, type CollectedMetric, type Temporality } from './recorder/native/collector.js';
import type { HrTimeLike } from './recorder/native/series.js';
import type { HistogramKind } from './recorder/recorder.js';

/**
 * Reads the catalog's aggregated state at collection time. Obtained from
 * {@link attachCollector}; `@inferometer/node` wraps one per metric reader in
 * an OpenTelemetry `MetricProducer`.
 */
export interface CatalogCollector {
  /** The temporality of the counters and histograms it returns. */
  readonly temporality: Temporality;
  /** The catalog's points as of `endTime` (OpenTelemetry HrTime `[seconds, nanoseconds]`). */
  collect(endTime: HrTimeLike): CollectedMetric[];
  /**
   * The same, as a generator that pauses after every `seriesPerStep` series
   * (its return value is the result), so a caller with many series can yield
   * to the event loop between steps. With `onPart`, each step's per-series
   * points go to it before the pause instead of into the result, so a caller
   * that encodes them at once never holds a whole collection's points.
   */
  collectInSteps(endTime: HrTimeLike, seriesPerStep: number, onPart?: (metrics: CollectedMetric[]) => void): Generator<void, CollectedMetric[], void>;
  /** Stops reading. With no collector attached, recording goes back to the OpenTelemetry API instruments. */
  detach(): void;
}

/**
 * Switches recording to the fast path: from now on every instrumented call
 * aggregates in place (typed arrays, no attribute hashing, no allocation)
 * and the returned collector reads the result. Without any collector, calls
 * are recorded through the OpenTelemetry API into whatever MeterProvider is
 * registered, with the same names and attributes.
 *
 * This is the seam `@inferometer/node` uses; call it yourself only to feed
 * the catalog into an SDK setup of your own (wrap `collect()` in a
 * `MetricProducer` given to each reader's `metricProducers`).
 *
 * @example
 * ```ts
 * const collector = attachCollector({ temporality: 'delta' });
 * const points = collector.collect(hrTime());
 * ```
 */
export function attachCollector(options: CollectorOptions = {}): CatalogCollector {
  return attachCollectorTo(runtime(), options);
}

/** Options of {@link attachCollector}. */
export interface CollectorOptions {
  /**
   * Temporality of counters and histograms; `cumulative` by default.
   *
   * @example
   * ```ts
   * temporality: 'delta'
   * ```
   */
  temporality?: Temporality;
  /**
   * The histogram kind this reader exports (`explicit` by default). Histograms
   * whose model names no kind keep what every attached reader exports;
   * a histogram kept as one kind only is exported as that kind whatever
   * this says. `both` gives two {@link CollectedMetric}s per histogram
   * (Prometheus reads a native histogram and its classic buckets together).
   *
   * @example
   * ```ts
   * histograms: 'exponential'
   * ```
   */
  histograms?: HistogramKind;
}

/** {@link attachCollector} on a given runtime (tests, embedders with their own). @internal */
export function attachCollectorTo(owner: Runtime, options: CollectorOptions = {}, internal: { readonly omitShared?: boolean } = {}): CatalogCollector {
  const temporality = options.temporality ?? 'cumulative';
  if (temporality !== 'cumulative' && temporality !== 'delta') {
    throw new InferometerConfigError('temporality', `attachCollector(options): option "temporality" must be 'cumulative' or 'delta'; got ${String(temporality)}`, ['cumulative', 'delta']);
  }
  const histograms = options.histograms ?? 'explicit';
  if (histograms !== 'explicit' && histograms !== 'exponential' && histograms !== 'both') {
    throw new InferometerConfigError('histograms', `attachCollector(options): option "histograms" must be 'explicit', 'exponential' or 'both'; got ${String(histograms)}`, ['explicit', 'exponential', 'both']);
  }
  return new NativeCollector(owner.recorder, temporality, histograms, internal.omitShared === true && owner.directory !== undefined);
}
