import { AggregationType, DataPointType, InstrumentType, MetricReader, type AggregationOption, type CollectionResult, type MetricCollectOptions, type MetricProducer } from '@opentelemetry/sdk-metrics';

/** Options of {@link LocalReader}. */
export interface LocalReaderOptions {
  /**
   * Also collect the SDK's own histograms (instruments of the service and of
   * other libraries on this provider) as base-2 exponential histograms,
   * beside their explicit buckets: when an exporter wants exponential ones
   * (OTLP's base-2 aggregation, the pull endpoint's native histograms), for
   * the merge to have each kind, as the catalog read as `both` gives.
   */
  readonly exponential?: boolean;
}

/**
 * A cumulative reader that only collects when asked: in a worker, for the
 * primary's collect requests; in the primary, for its own points beside its
 * workers'. It exports nothing itself. Register {@link LocalReader.readers}
 * with the MeterProvider (its companion reader too, when it has one).
 */
export class LocalReader extends MetricReader {
  private readonly _exponential: ExponentialCompanion | undefined;

  constructor(metricProducers: MetricProducer[], options: LocalReaderOptions = {}) {
    super({ metricProducers });
    this._exponential = options.exponential === true ? new ExponentialCompanion() : undefined;
  }

  /** The readers to give the MeterProvider: this one, and its exponential companion when it has one. */
  get readers(): MetricReader[] {
    return this._exponential === undefined ? [this] : [this, this._exponential];
  }

  override async collect(options?: MetricCollectOptions): Promise<CollectionResult> {
    const own = await super.collect(options);
    if (this._exponential === undefined) return own;
    const more = await this._exponential.collect(options);
    // Only its exponential histograms: the companion drops everything else.
    const scopeMetrics = own.resourceMetrics.scopeMetrics.map((scopeMetrics) => ({ ...scopeMetrics, metrics: [...scopeMetrics.metrics] }));
    for (const { scope, metrics } of more.resourceMetrics.scopeMetrics) {
      const exponential = metrics.filter((metric) => metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM);
      if (exponential.length === 0) continue;
      const same = scopeMetrics.find((s) => s.scope.name === scope.name && s.scope.version === scope.version && s.scope.schemaUrl === scope.schemaUrl);
      if (same === undefined) scopeMetrics.push({ scope, metrics: exponential });
      else same.metrics.push(...exponential);
    }
    return { resourceMetrics: { ...own.resourceMetrics, scopeMetrics }, errors: [...own.errors, ...more.errors] };
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const EXPONENTIAL: AggregationOption = { type: AggregationType.EXPONENTIAL_HISTOGRAM };
const DROP: AggregationOption = { type: AggregationType.DROP };

/**
 * The SDK's histograms aggregated base-2 exponential (maxSize 160, the SDK's
 * default), read by {@link LocalReader}; every other instrument is dropped
 * here, the LocalReader has it.
 */
class ExponentialCompanion extends MetricReader {
  constructor() {
    super({ aggregationSelector: (type) => (type === InstrumentType.HISTOGRAM ? EXPONENTIAL : DROP) });
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}
