import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_REASON,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTIONS,
  METRIC_STREAM_ITEMS,
  METRIC_TIME_TO_FIRST_ITEM,
} from '../../catalog.js';
import { warnOnce } from '../../diagnostics.js';
import { OVERFLOW_VALUE, REJECTION_REASONS } from '../../guard/patterns.js';
import { admitSeries, noteOverflowSeries, reject } from '../../guard/registry.js';
import type { BucketOverrides, PredictionSeries, Recorder, SeriesKey } from '../recorder.js';
import { boundariesOf } from './histogram.js';
import { NativeSeries, type HrTimeLike, type NativeModelState, type SeriesBoundaries } from './series.js';

/** Count of one (model, reason) pair of dropped observations. @internal */
export interface DroppedCount {
  readonly attributes: Attributes;
  count: number;
  readonly startTime: HrTimeLike;
}

/** The model state of overflow series: never exported, so they cannot move the version gauges. */
const OVERFLOW_MODEL: NativeModelState = { activeVersion: undefined, attributes: {}, overflow: true };

/** The per-prediction metrics share label sets; their series cap is counted under this name. */
const FAMILY = METRIC_PREDICTIONS.prometheusName;

const DEFAULT_BOUNDARIES: SeriesBoundaries = {
  source: undefined,
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
  /**
   * Series by a hash of their identity, for sharing one series between
   * functions with the same identity (two series with one label set would
   * make an invalid exposition). A number key keeps no string per series;
   * the rare collision is resolved by comparing identities.
   */
  private readonly _byHash = new Map<number, NativeSeries | NativeSeries[]>();
  private _collectors = 0;
  /**
   * Start time of every series' cumulative data: one shared HrTime (the
   * recorder's creation, before any observation) instead of one per series.
   */
  readonly startTime: HrTimeLike = hrNow();

  constructor(private readonly _api: Recorder) {}

  /** Whether a collector reads the native state (else calls go to the OpenTelemetry API). */
  get native(): boolean {
    return this._collectors > 0;
  }

  series(key: SeriesKey): PredictionSeries {
    return this._series(key, 'none');
  }

  /**
   * The series of `key`: shared if it exists; new if the per-metric series
   * cap admits it (the guard enforces the cap before the SDK's own limit, so
   * the overflow is ours and counted). Past the cap, the model's overflow
   * series (version and user attributes `_OTHER`), itself admitted under the
   * cap; with even that refused, the one metric-wide overflow series (model
   * too `_OTHER`), for which the cap keeps one place. So the metric never
   * holds more label sets than the cap, however many models and values.
   */
  private _series(key: SeriesKey, overflow: 'none' | 'model' | 'metric'): NativeSeries {
    const hash = identityHash(key);
    const bucket = this._byHash.get(hash);
    const existing = bucket === undefined ? undefined : Array.isArray(bucket) ? bucket.find((s) => sameIdentity(s.attributes, key)) : sameIdentity(bucket.attributes, key) ? bucket : undefined;
    if (existing !== undefined) return existing;
    if (overflow !== 'metric' && !admitSeries(FAMILY, overflow === 'model' ? 'model' : 'regular')) {
      if (overflow === 'none') {
        reject(FAMILY, Object.keys(key.attributes).join('+') || ATTR_MODEL_VERSION, REJECTION_REASONS.seriesOverflow);
        const attributes: Attributes = {};
        for (const name in key.attributes) attributes[name] = OVERFLOW_VALUE;
        return this._series({ ...key, version: OVERFLOW_VALUE, versionNumber: undefined, attributes }, 'model');
      }
      return this._series({ model: OVERFLOW_VALUE, version: OVERFLOW_VALUE, attributes: {}, buckets: undefined, versionNumber: undefined }, 'metric');
    }
    // The metric-wide overflow series is the one place the cap keeps back.
    if (overflow === 'metric') noteOverflowSeries(FAMILY);
    // Overflow series are not model versions: they stay out of ml_model_info
    // and never move ml_active_model_version.
    let model = overflow === 'none' ? this.models.get(key.model) : OVERFLOW_MODEL;
    if (model === undefined) {
      model = { activeVersion: undefined, attributes: { [ATTR_MODEL_NAME]: key.model } };
      this.models.set(key.model, model);
    }
    const versionId = `${key.model}\u0000${key.version}`;
    if (overflow === 'none' && !this.versions.has(versionId)) {
      this.versions.set(versionId, { [ATTR_MODEL_NAME]: key.model, [ATTR_MODEL_VERSION]: key.version });
    }
    // Built property by property in one order, so every series' attributes
    // share a hidden class; the series keeps this one object (its key points
    // at it too) rather than the caller's and a copy.
    const attributes: Attributes = {};
    attributes[ATTR_MODEL_NAME] = key.model;
    attributes[ATTR_MODEL_VERSION] = key.version;
    for (const name in key.attributes) attributes[name] = key.attributes[name];
    const series = new NativeSeries(attributes, key.versionNumber, model, boundariesFor(key.buckets), this.native ? null : this._api.series(key));
    if (bucket === undefined) this._byHash.set(hash, series);
    else if (Array.isArray(bucket)) bucket.push(series);
    else this._byHash.set(hash, [bucket, series]);
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

/** FNV-1a over model, version and the attributes in key order. */
function identityHash(key: SeriesKey): number {
  let hash = 0x811c9dc5;
  const mix = (text: string): void => {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ 0xff, 0x01000193);
  };
  mix(key.model);
  mix(key.version);
  for (const name of Object.keys(key.attributes).sort()) {
    if (name === ATTR_MODEL_NAME || name === ATTR_MODEL_VERSION) continue;
    mix(name);
    mix(String(key.attributes[name]));
  }
  return hash >>> 0;
}

/** A series' attributes (model, version, user's) against a key: same identity, in any order. */
function sameIdentity(attributes: Attributes, key: SeriesKey): boolean {
  if (attributes[ATTR_MODEL_NAME] !== key.model || attributes[ATTR_MODEL_VERSION] !== key.version) return false;
  const own = Object.keys(attributes).filter((n) => n !== ATTR_MODEL_NAME && n !== ATTR_MODEL_VERSION);
  const theirs = Object.keys(key.attributes).filter((n) => n !== ATTR_MODEL_NAME && n !== ATTR_MODEL_VERSION);
  return own.length === theirs.length && own.every((name) => name in key.attributes && String(attributes[name]) === String(key.attributes[name]));
}

/** Boundary arrays are shared between series with the same configuration. */
const boundaryCache = new Map<string, SeriesBoundaries>();

function boundariesFor(buckets: BucketOverrides | undefined): SeriesBoundaries {
  if (buckets === undefined) return DEFAULT_BOUNDARIES;
  const id = JSON.stringify(buckets);
  let found = boundaryCache.get(id);
  if (found === undefined) {
    found = {
      source: buckets,
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
