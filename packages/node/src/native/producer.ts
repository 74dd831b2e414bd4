import { AsyncLocalStorage } from 'node:async_hooks';
import { ValueType } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type MetricData,
  type MetricDescriptor,
  type MetricProducer,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  attachCollector,
  type CatalogCollector,
  type CollectedMetric,
  type HistogramKind,
  type Temporality,
} from '@inferometer/core';
import { CATALOG, INSTRUMENTATION_SCOPE, type MetricDefinition } from '@inferometer/core/catalog';
import { attachCollectorTo, runtime } from '@inferometer/core/internal';

/** A MetricProducer fed by the catalog's native aggregation, and how to stop it. */
export interface CatalogProducer {
  readonly producer: MetricProducer;
  /**
   * The catalog's points at once, without yielding: for the moment a worker
   * thread ends (process 'exit'), when no promise settles any more.
   */
  collectNow(): MetricData[];
  /** Stops feeding; with no producer left, recording returns to the OpenTelemetry API. */
  close(): void;
}

const SCOPE = { name: INSTRUMENTATION_SCOPE };
/**
 * Series read between two yields to the event loop during a collection:
 * a quarter of a millisecond of work once warm (10,000 catalog series take
 * some 25 ms of CPU to read), so a scrape of many series never holds up the
 * predictions the process serves. On a 2-core machine that scrapers share,
 * a step is often preempted part-way: 500 series a step left ten gzip
 * scrapers' median stall at about 30 ms (bench/scenarios/scrape-stall.mjs),
 * 125 at about 20 ms.
 */
export const SERIES_PER_STEP = 125;
const descriptors = new WeakMap<MetricDefinition, MetricDescriptor>();

/**
 * Hands the catalog's natively aggregated data to an OpenTelemetry reader
 * through the SDK's official bridge for externally aggregated data
 * (`MetricReaderOptions.metricProducers`). One producer per reader, because
 * producers are not told the reader's temporality: a Prometheus reader gets a
 * cumulative one, a Datadog-shaped OTLP reader a delta one.
 *
 * `start()` does this for you. Use it directly to get the fast path with a
 * MeterProvider the service builds itself: while a producer is open, calls
 * aggregate natively instead of going through the OpenTelemetry API.
 *
 * @example
 * ```ts
 * const catalog = createCatalogProducer('cumulative');
 * const { reader, handler } = createPrometheusReader({ metricProducers: [catalog.producer] });
 * metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
 * ```
 */
export function createCatalogProducer(temporality: Temporality, options: CatalogProducerOptions = {}): CatalogProducer {
  return producerOf(attachCollector({ temporality, ...(options.histograms === undefined ? {} : { histograms: options.histograms }) }));
}

/**
 * A worker thread's cumulative catalog producer, for its answers to the main
 * thread: without what the main thread reads from the thread's shared
 * memory (core's recorder/native/shared.ts).
 */
export function createThreadCatalogProducer(options: CatalogProducerOptions = {}): CatalogProducer {
  return producerOf(attachCollectorTo(runtime(), { temporality: 'cumulative', ...(options.histograms === undefined ? {} : { histograms: options.histograms }) }, { omitShared: true }));
}

function producerOf(attached: CatalogCollector): CatalogProducer {
  let collector: CatalogCollector | undefined = attached;
  const producer: MetricProducer = {
    async collect(): Promise<CollectionResult> {
      // The pull handler reads this producer in parts itself (SteppedCatalog)
      // while the reader collects everything else.
      if (skippedHere(producer)) return readElsewhere();
      const metrics = collector === undefined ? [] : (await collectYielding(collector)).map(toMetricData);
      return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [{ scope: SCOPE, metrics }] }, errors: [] };
    },
  };
  // Read in steps by a cumulative (pull) reader only: a delta reading is a
  // reader's interval, which a second reading would split.
  if (attached.temporality === 'cumulative') {
    stepped.set(producer, {
      steppable: () => collector !== undefined,
      begin: async () => ({
        rest: [],
        after: [],
        readParts: async (onPart) => {
          if (collector === undefined) return;
          onPart((await collectYielding(collector, (part) => onPart(part.map(toMetricData)))).map(toMetricData));
        },
        readWhole: async () => (collector === undefined ? [] : (await collectYielding(collector)).map(toMetricData)),
      }),
    });
  }
  return {
    producer,
    collectNow() {
      if (collector === undefined) return [];
      const steps = collector.collectInSteps(hrTime(), Number.MAX_SAFE_INTEGER);
      let step = steps.next();
      while (step.done !== true) step = steps.next();
      return step.value.map(toMetricData);
    },
    close() {
      collector?.detach();
      collector = undefined;
    },
  };
}

/** Options of {@link createCatalogProducer}. */
export interface CatalogProducerOptions {
  /**
   * The histogram kind the reader exports: `exponential` for an OTLP reader
   * whose aggregation preference is base-2 exponential (its points become
   * `DataPointType.EXPONENTIAL_HISTOGRAM`), `explicit` (the default) for the
   * others. A histogram a model fixed to one kind comes as that kind.
   *
   * @example
   * ```ts
   * createCatalogProducer('delta', { histograms: 'exponential' })
   * ```
   */
  readonly histograms?: HistogramKind;
}

/**
 * A catalog producer read a step at a time: each step's metrics are handed
 * on as soon as they are read, so a reader that encodes them at once (the
 * pull handler) never holds a whole collection's points. Those points are
 * what the garbage collector's scavenges copied during a scrape: 10,000
 * series' points alive across a collection made 20-40 ms pauses
 * (bench/scenarios/scrape-stall.mjs, `--trace-gc`).
 *
 * @internal
 */
export interface SteppedCatalog {
  /** Whether a collection starting now can read the catalog in steps (a cluster aggregator with members cannot: it serves their merge). */
  steppable(): boolean;
  /**
   * Starts one collection of the producer: what it serves beside the
   * catalog, read now, and the catalog, to be read once, in parts or whole;
   * or (`whole`) everything at once, as its `collect()` gives it, when it
   * cannot be read in steps this time (a cluster aggregator with members).
   */
  begin(): Promise<CatalogReading>;
}

/** One collection of a {@link SteppedCatalog}. @internal */
export type CatalogReading =
  | {
      /** Scopes the producer serves beside the catalog (a cluster aggregator's own instruments): before it, and after it. */
      readonly rest: ScopeMetrics[];
      readonly after: ScopeMetrics[];
      /** Reads the catalog a step at a time: `onPart` gets each step's metrics (the last one with the process-wide metrics); the event loop runs between steps. */
      readParts(onPart: (metrics: MetricData[]) => void): Promise<void>;
      /** Or reads it whole, as the producer's `collect()` would. */
      readWhole(): Promise<MetricData[]>;
    }
  | { readonly whole: ScopeMetrics[] };

/**
 * Stand-ins for every family the catalog can serve, without data: where
 * they land among a reader's families says, before the catalog is read,
 * whether it can be served beside them as written in steps.
 *
 * @internal
 */
export const CATALOG_STAND_INS: readonly MetricData[] = CATALOG.map((definition) => toMetricData({ definition, temporality: 'cumulative', points: [] }));

/** The scope that stands where a producer read in steps would have answered (see {@link withoutProducer}). @internal */
export const READ_ELSEWHERE = { name: '@inferometer/node: read in steps' };

const stepped = new WeakMap<MetricProducer, SteppedCatalog>();
const skipped = new AsyncLocalStorage<MetricProducer>();

/** The {@link SteppedCatalog} of a catalog producer; undefined for any other producer. @internal */
export function steppedCatalogOf(producer: MetricProducer): SteppedCatalog | undefined {
  return stepped.get(producer);
}

/** Whether `producer` is to answer nothing in this collection (see {@link withoutProducer}): every producer readable in steps checks it. @internal */
export function skippedHere(producer: MetricProducer): boolean {
  return skipped.getStore() === producer;
}

/** A skipped producer's answer: one empty scope, {@link READ_ELSEWHERE}, where its data goes. @internal */
export function readElsewhere(): CollectionResult {
  return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [{ scope: READ_ELSEWHERE, metrics: [] }] }, errors: [] };
}

/** Makes `producer` readable in steps too (a producer that serves a catalog producer's data: the cluster aggregator's). @internal */
export function readableInSteps(producer: MetricProducer, reading: SteppedCatalog): void {
  stepped.set(producer, reading);
}

/**
 * Runs `collect` (a reader's collection) with `producer` answering nothing:
 * its data is read through {@link steppedCatalogOf} instead. Scoped to this
 * call's async context, so another collection of the same reader at the
 * same time (the health page's) still gets the producer's data.
 *
 * @internal
 */
export function withoutProducer<T>(producer: MetricProducer, collect: () => Promise<T>): Promise<T> {
  return skipped.run(producer, collect);
}

/** Reads the catalog a step at a time, giving the event loop back between steps; with `onPart`, each step's points go to it (see CatalogCollector.collectInSteps). */
async function collectYielding(collector: CatalogCollector, onPart?: (metrics: CollectedMetric[]) => void): Promise<CollectedMetric[]> {
  const steps = collector.collectInSteps(hrTime(), SERIES_PER_STEP, onPart);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A collected catalog metric as the SDK's MetricData (the points have its shape already). */
export function toMetricData(metric: CollectedMetric): MetricData {
  const { definition } = metric;
  const descriptor = descriptorOf(definition);
  const aggregationTemporality = metric.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  // The collector's points have the SDK's data point shape already.
  const dataPoints = metric.points as never[];
  switch (definition.kind) {
    case 'counter':
      return { descriptor, aggregationTemporality, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints };
    case 'updowncounter':
      return { descriptor, aggregationTemporality, dataPointType: DataPointType.SUM, isMonotonic: false, dataPoints };
    case 'histogram':
      // Exponential points have the shape of the SDK's ExponentialHistogram points (plus a zeroThreshold the SDK leaves out).
      if (metric.exponential === true) return { descriptor, aggregationTemporality, dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM, dataPoints };
      return { descriptor, aggregationTemporality, dataPointType: DataPointType.HISTOGRAM, dataPoints };
    default:
      return { descriptor, aggregationTemporality, dataPointType: DataPointType.GAUGE, dataPoints };
  }
}

function descriptorOf(definition: MetricDefinition): MetricDescriptor {
  let descriptor = descriptors.get(definition);
  if (descriptor === undefined) {
    descriptor = { name: definition.name, description: definition.description, unit: definition.unit, valueType: ValueType.DOUBLE };
    descriptors.set(definition, descriptor);
  }
  return descriptor;
}
