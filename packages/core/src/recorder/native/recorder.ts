import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_REASON,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_LATENCY,
  METRIC_STREAM_ITEMS,
  METRIC_TIME_TO_FIRST_ITEM,
} from '../../catalog.js';
import { warnOnce } from '../../diagnostics.js';
import type { BucketOverrides, PredictionSeries, Recorder, SeriesKey } from '../recorder.js';
import { boundariesOf } from './histogram.js';
import { NativeSeries, type HrTimeLike, type NativeModelState, type SeriesBoundaries } from './series.js';

/** Count of one (model, reason) pair of dropped observations. @internal */
export interface DroppedCount {
  readonly attributes: Attributes;
  count: number;
  readonly startTime: HrTimeLike;
}

const DEFAULT_BOUNDARIES: SeriesBoundaries = {
  latency: boundariesOf(METRIC_PREDICTION_LATENCY.buckets),
  confidence: boundariesOf(METRIC_PREDICTION_CONFIDENCE.buckets),
  batchSize: boundariesOf(METRIC_PREDICTION_BATCH_SIZE.buckets),
  timeToFirstItem: boundariesOf(METRIC_TIME_TO_FIRST_ITEM.buckets),
  streamItems: boundariesOf(METRIC_STREAM_ITEMS.buckets),
};

/**
 * The fast recorder: every series aggregates in place (see
 * {@link NativeSeries}) and collectors read the state at collection time,
 * handing it to OpenTelemetry through `@inferometer/node`'s MetricProducer.
 *
 * Until a collector attaches, it forwards everything to the OpenTelemetry
 * API recorder, so instrumentation works with any MeterProvider the service
 * registered itself (and as a no-op with none).
 *
 * @internal
 */
export class NativeRecorder implements Recorder {
  /** Every series, in creation order; one per distinct (model, version, attributes). */
  readonly series_: NativeSeries[] = [];
  readonly models = new Map<string, NativeModelState>();
  /** (model, version) pairs that have served, for `ml_model_info`. */
  readonly versions = new Map<string, Attributes>();
  readonly dropped_ = new Map<string, DroppedCount>();
  private readonly _byKey = new Map<string, NativeSeries>();
  private _collectors = 0;

  constructor(private readonly _api: Recorder) {}

  /** Whether a collector reads the native state (else calls go to the OpenTelemetry API). */
  get native(): boolean {
    return this._collectors > 0;
  }

  series(key: SeriesKey): PredictionSeries {
    const id = seriesId(key);
    const existing = this._byKey.get(id);
    if (existing !== undefined) return existing;
    let model = this.models.get(key.model);
    if (model === undefined) {
      model = { activeVersion: undefined, attributes: { [ATTR_MODEL_NAME]: key.model } };
      this.models.set(key.model, model);
    }
    const versionId = `${key.model}\u0000${key.version}`;
    if (!this.versions.has(versionId)) {
      this.versions.set(versionId, { [ATTR_MODEL_NAME]: key.model, [ATTR_MODEL_VERSION]: key.version });
    }
    const attributes: Attributes = { ...key.attributes, [ATTR_MODEL_NAME]: key.model, [ATTR_MODEL_VERSION]: key.version };
    const series = new NativeSeries(
      key,
      attributes,
      model,
      boundariesFor(key.buckets),
      this.native ? null : this._api.series(key),
      hrNow(),
    );
    this._byKey.set(id, series);
    this.series_.push(series);
    return series;
  }

  dropped(model: string, reason: string): void {
    if (!this.native) {
      this._api.dropped(model, reason);
      return;
    }
    const id = `${model}\u0000${reason}`;
    const entry = this.dropped_.get(id);
    if (entry !== undefined) entry.count++;
    else this.dropped_.set(id, { attributes: { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: reason }, count: 1, startTime: hrNow() });
  }

  /** A collector attaches: from now on calls aggregate natively. */
  attach(): void {
    if (this._collectors++ === 0) for (const series of this.series_) series.api = null;
  }

  /** A collector detaches: with none left, calls go back to the OpenTelemetry API. */
  detach(): void {
    if (this._collectors === 0) return;
    if (--this._collectors === 0) for (const series of this.series_) series.api = this._api.series(series.key);
  }
}

function seriesId(key: SeriesKey): string {
  const attributes = Object.keys(key.attributes)
    .sort()
    .map((name) => `${name}=${String(key.attributes[name])}`)
    .join('\u0001');
  return `${key.model}\u0000${key.version}\u0000${attributes}`;
}

/** Boundary arrays are shared between series with the same configuration. */
const boundaryCache = new Map<string, SeriesBoundaries>();

function boundariesFor(buckets: BucketOverrides | undefined): SeriesBoundaries {
  if (buckets === undefined) return DEFAULT_BOUNDARIES;
  const id = JSON.stringify(buckets);
  let found = boundaryCache.get(id);
  if (found === undefined) {
    found = {
      latency: buckets.latency ? boundariesOf(buckets.latency) : DEFAULT_BOUNDARIES.latency,
      confidence: buckets.confidence ? boundariesOf(buckets.confidence) : DEFAULT_BOUNDARIES.confidence,
      batchSize: buckets.batchSize ? boundariesOf(buckets.batchSize) : DEFAULT_BOUNDARIES.batchSize,
      timeToFirstItem: buckets.timeToFirstItem ? boundariesOf(buckets.timeToFirstItem) : DEFAULT_BOUNDARIES.timeToFirstItem,
      streamItems: buckets.streamItems ? boundariesOf(buckets.streamItems) : DEFAULT_BOUNDARIES.streamItems,
    };
    if (boundaryCache.size >= 64) {
      warnOnce('boundary-cache', '@inferometer/core: more than 64 distinct bucket configurations; boundaries are no longer shared');
    } else {
      boundaryCache.set(id, found);
    }
  }
  return found;
}

/** The current time as OpenTelemetry HrTime. @internal */
export function hrNow(): HrTimeLike {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6))];
}
