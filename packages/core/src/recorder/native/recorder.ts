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
import { OVERFLOW_VALUE, REJECTION_REASONS } from '../../guard/patterns.js';
import type { Runtime } from '../../runtime.js';
import { ReleasedTarget, SeriesHandle, type ModelState, type SeriesTarget, type VersionState } from '../handle.js';
import { OtelApiRecorder } from '../otel-api-recorder.js';
import type { BucketOverrides, HistogramKind, HistogramKinds, Recorder, SeriesKey } from '../recorder.js';
import { tracingPossible } from './exemplars.js';
import { boundariesOf } from './histogram.js';
import { FAMILY } from './points.js';
import { NativeSeries, type HrTimeLike, type SeriesBoundaries } from './series.js';

/** Count of one (model, reason) pair of dropped observations. @internal */
export interface DroppedCount {
  readonly attributes: Attributes;
  count: number;
  readonly startTime: HrTimeLike;
}

const DEFAULT_BOUNDARIES: SeriesBoundaries = {
  source: undefined,
  latency: boundariesOf(METRIC_PREDICTION_LATENCY.buckets),
  confidence: boundariesOf(METRIC_PREDICTION_CONFIDENCE.buckets),
  batchSize: boundariesOf(METRIC_PREDICTION_BATCH_SIZE.buckets),
  timeToFirstItem: boundariesOf(METRIC_TIME_TO_FIRST_ITEM.buckets),
  streamItems: boundariesOf(METRIC_STREAM_ITEMS.buckets),
  kinds: {},
};
/** Distinct bucket configurations whose boundary arrays are shared. */
const MAX_BOUNDARY_CONFIGS = 64;

/**
 * The recorder of one runtime: it owns every series and routes each one to
 * one of two paths. Every series is a {@link SeriesHandle} whose target is
 * the fast path while a collector is attached (its {@link NativeSeries},
 * aggregated in place, read at collection by `@inferometer/node`'s
 * MetricProducer), and the API path otherwise (OpenTelemetry API
 * instruments, see {@link OtelApiRecorder}), so instrumentation works with
 * any MeterProvider the service registered itself (and as a no-op with
 * none). Named for what it owns, not for one path: it was `NativeRecorder`.
 *
 * @internal
 */
export class SeriesRecorder implements Recorder {
  /** Every registered series, in creation order; one per distinct (model, version, attributes). */
  readonly handles: SeriesHandle[] = [];
  readonly models = new Map<string, ModelState>();
  /** Dropped observations counted on the fast path, by model and reason (the API path counts them on its counter). */
  readonly droppedCounts = new Map<string, DroppedCount>();
  readonly api: OtelApiRecorder;
  /**
   * Series by a hash of their identity, for sharing one series between
   * functions with the same identity (two series with one label set would
   * make an invalid exposition). A number key keeps no string per series;
   * the rare collision is resolved by comparing identities.
   */
  private readonly _byHash = new Map<number, SeriesHandle | SeriesHandle[]>();
  private readonly _collectors = new Set<object>();
  /** Histogram kind each attached collector reads. */
  private readonly _wants = new Map<object, HistogramKind>();
  /** Versions retired and waiting for their last export. */
  private readonly _releasing = new Set<VersionState>();
  private readonly _boundaryCache = new Map<string, SeriesBoundaries>();
  /**
   * Start time of every series' cumulative data: one shared HrTime (the
   * recorder's creation, before any observation) instead of one per series.
   */
  readonly startTime: HrTimeLike = hrNow();
  /**
   * Whether calls look for a sampled span to take exemplars from: true only
   * while a collector is attached and a ContextManager is registered with
   * the OpenTelemetry API (see {@link tracingPossible}). Decided when a
   * collector attaches and again at every collection, so the calls of a
   * process without tracing pay one field read and nothing else.
   */
  tracing = false;

  constructor(readonly runtime: Runtime) {
    this.api = new OtelApiRecorder(this);
    // inferometer_series{metric="ml_predictions_total"} counts that metric's
    // label sets: a series holds one per status it has recorded.
    runtime.guard.countSeriesWith(FAMILY, () => this.predictionLabelSets());
  }

  /** Whether a collector is attached: calls take the fast path (else the API path, through the OpenTelemetry API). */
  get collectorAttached(): boolean {
    return this._collectors.size > 0;
  }

  series(key: SeriesKey): SeriesHandle {
    const model = this.runtime.guard.admitModel(key.model);
    if (model !== key.model) return this._series({ model: OVERFLOW_VALUE, version: OVERFLOW_VALUE, attributes: {}, buckets: undefined, versionNumber: undefined }, 'metric');
    if (key.buckets !== undefined) this.api.checkBuckets(key.model, key.buckets);
    return this._series(key, 'regular');
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
  private _series(key: SeriesKey, kind: 'regular' | 'model' | 'metric'): SeriesHandle {
    const hash = identityHash(key);
    const bucket = this._byHash.get(hash);
    const existing = bucket === undefined ? undefined : Array.isArray(bucket) ? bucket.find((s) => sameIdentity(s.attributes, key)) : sameIdentity(bucket.attributes, key) ? bucket : undefined;
    if (existing !== undefined) return existing;
    const guard = this.runtime.guard;
    if (kind !== 'metric' && !guard.admitSeries(FAMILY, kind)) {
      if (kind === 'regular') {
        guard.reject(FAMILY, Object.keys(key.attributes).join('+') || ATTR_MODEL_VERSION, REJECTION_REASONS.seriesOverflow);
        const attributes: Attributes = {};
        for (const name in key.attributes) attributes[name] = OVERFLOW_VALUE;
        return this._series({ ...key, version: OVERFLOW_VALUE, versionNumber: undefined, attributes }, 'model');
      }
      return this._series({ model: OVERFLOW_VALUE, version: OVERFLOW_VALUE, attributes: {}, buckets: undefined, versionNumber: undefined }, 'metric');
    }
    // The metric-wide overflow series is the one place the cap keeps back.
    if (kind === 'metric') guard.noteOverflowSeries(FAMILY);
    const version = this._version(key, kind);
    // Built property by property in one order, so every series' attributes
    // share a hidden class.
    const attributes: Attributes = {};
    attributes[ATTR_MODEL_NAME] = key.model;
    attributes[ATTR_MODEL_VERSION] = key.version;
    for (const name in key.attributes) attributes[name] = key.attributes[name];
    const boundaries = this._boundariesFor(key.buckets, key.histograms);
    const native = new NativeSeries(boundaries, this.runtime.slab);
    const handle = new SeriesHandle(this, attributes, version, boundaries, kind, native);
    native.handle = handle;
    if (!this.collectorAttached) handle.swap(this.api.target(handle));
    this._register(handle, hash);
    if (kind === 'regular') this._watchVersionCap(key.model);
    return handle;
  }

  /** The version state of `key`; overflow series get a private one, so they never move or show in the model gauges. */
  private _version(key: SeriesKey, kind: 'regular' | 'model' | 'metric'): VersionState {
    let model = kind === 'regular' ? this.models.get(key.model) : undefined;
    if (model === undefined) {
      model = { name: key.model, attributes: { [ATTR_MODEL_NAME]: key.model }, active: undefined, versions: new Map(), overflow: kind !== 'regular' };
      if (kind === 'regular') this.models.set(key.model, model);
    }
    let version = model.versions.get(key.version);
    if (version === undefined) {
      version = { model, name: key.version, number: key.versionNumber, info: { [ATTR_MODEL_NAME]: key.model, [ATTR_MODEL_VERSION]: key.version }, replacedAt: undefined, releasing: undefined };
      if (kind === 'regular') model.versions.set(key.version, version);
    }
    return version;
  }

  private _register(handle: SeriesHandle, hash = identityHash(keyOf(handle))): void {
    const bucket = this._byHash.get(hash);
    if (bucket === undefined) this._byHash.set(hash, handle);
    else if (Array.isArray(bucket)) bucket.push(handle);
    else this._byHash.set(hash, [bucket, handle]);
    this.handles.push(handle);
    handle.registered = true;
    this.runtime.directory?.publish(handle.native);
  }

  /** When the model's version guard is full, versions that no longer serve are released first. */
  private _watchVersionCap(model: string): void {
    const guard = this.runtime.guard.existingGuard(model, ATTR_MODEL_VERSION);
    if (guard !== undefined && guard.onFull === undefined) guard.onFull = () => this.sweep(model);
  }

  dropped(model: string, reason: string): void {
    if (!this.collectorAttached) {
      this.api.dropped(model, reason);
      return;
    }
    const id = `${model}\u0000${reason}`;
    const entry = this.droppedCounts.get(id);
    if (entry !== undefined) entry.count++;
    else this.droppedCounts.set(id, { attributes: { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: reason }, count: 1, startTime: hrNow() });
  }

  /**
   * A collector attaches: from now on calls take the fast path. Histograms
   * whose model fixed no kind keep what every attached collector reads:
   * the default widens to the union, and existing series gain the missing
   * kind (empty from now on).
   */
  attach(collector: object, wants: HistogramKind = 'explicit'): void {
    this._collectors.add(collector);
    this._wants.set(collector, wants);
    const slab = this.runtime.slab;
    const kind = unionKind(this._collectors.size === 1 ? wants : slab.defaultKind, wants);
    if (kind !== slab.defaultKind) {
      slab.defaultKind = kind;
      for (const handle of this.handles) handle.native.widen(kind);
    }
    if (this._collectors.size === 1) for (const handle of this.handles) handle.swap(handle.native);
    this.checkTracing();
  }

  /** Decides {@link tracing} again (a ContextManager may have been registered since). */
  checkTracing(): void {
    this.tracing = this._collectors.size > 0 && tracingPossible();
  }

  /** A collector detaches: with none left, calls go back to the API path. */
  detach(collector: object): void {
    if (!this._collectors.delete(collector)) return;
    this._wants.delete(collector);
    for (const version of this._releasing) this._exportedBy(version, collector);
    if (this._collectors.size === 0) {
      for (const handle of this.handles) handle.swap(this.api.target(handle));
      this.tracing = false;
    }
  }

  /** Label sets `ml_predictions_total` holds: one per status each series has recorded. */
  predictionLabelSets(): number {
    let count = 0;
    for (const handle of this.handles) {
      if (handle.native.successes > 0 || (handle.statuses & 1) !== 0) count++;
      if (handle.native.errors > 0 || (handle.statuses & 2) !== 0) count++;
      if (handle.native.cancelled > 0 || (handle.statuses & 4) !== 0) count++;
    }
    return count;
  }

  /**
   * Retires one model version now: it is exported one last time by every
   * attached collector, then released (see {@link release}).
   */
  retire(model: string, version: string): boolean {
    const state = this.models.get(model)?.versions.get(version);
    if (state === undefined) return false;
    this._retire(state);
    return true;
  }

  private _retire(version: VersionState): void {
    if (version.releasing !== undefined) return;
    if (this._collectors.size === 0) {
      this._release(version);
      return;
    }
    version.releasing = new Set(this._collectors);
    this._releasing.add(version);
  }

  /**
   * Retires the versions of `model` (every model without one) that no longer
   * serve: replaced as the active version more than `versionIdleSeconds`
   * ago, with no call in flight. Runs at every collection and when a
   * model's cap on distinct versions is reached.
   */
  sweep(model?: string): void {
    const idle = this.runtime.guard.config.versionIdleSeconds * 1000;
    const now = Date.now();
    const models = model === undefined ? this.models.values() : [this.models.get(model)].filter((m) => m !== undefined);
    // Versions with a call in flight, found in one pass over the series and
    // only when some version is due. A model's cap on versions sweeps on
    // every call with a new version once it is full, so a scan per version
    // would cost each such call the whole series list again.
    let busy: Set<VersionState> | undefined;
    for (const state of models) {
      for (const version of state.versions.values()) {
        if (version === state.active || version.replacedAt === undefined || now - version.replacedAt < idle) continue;
        // Retired already, waiting for its last export.
        if (version.releasing !== undefined) continue;
        busy ??= this._versionsInFlight();
        if (busy.has(version)) continue;
        this._retire(version);
      }
    }
  }

  /** The versions of the series with a call in flight. */
  private _versionsInFlight(): Set<VersionState> {
    const busy = new Set<VersionState>();
    for (const handle of this.handles) if (handle.native.inFlight > 0) busy.add(handle.version);
    return busy;
  }

  /** A collector finished a collection: versions it was the last to export are released. */
  exported(collector: object): void {
    for (const version of this._releasing) this._exportedBy(version, collector);
  }

  private _exportedBy(version: VersionState, collector: object): void {
    const waiting = version.releasing;
    if (waiting === undefined) return;
    waiting.delete(collector);
    if (waiting.size === 0) this._release(version);
  }

  /**
   * Gives back everything a version holds: its series (their places under
   * the series cap), its `ml_model_info` point, and its place under the
   * model's cap on distinct versions. A handle still held by a wrapper is
   * put back on its next use (see ReleasedTarget).
   */
  private _release(version: VersionState): void {
    this._releasing.delete(version);
    version.releasing = undefined;
    const model = version.model;
    if (model.versions.get(version.name) === version) model.versions.delete(version.name);
    if (model.active === version) model.active = undefined;
    this.runtime.guard.existingGuard(model.name, ATTR_MODEL_VERSION)?.forget(version.name);
    // The version's series, taken out of the list in one pass (an array of
    // them per version cost about 12 B a series in spare capacity).
    const released: SeriesHandle[] = [];
    let kept = 0;
    for (const handle of this.handles) {
      if (handle.version === version) released.push(handle);
      else this.handles[kept++] = handle;
    }
    this.handles.length = kept;
    for (const handle of released) this._unregister(handle);
  }

  /** Gives back one series' place; {@link _release} took it out of {@link handles} already. */
  private _unregister(handle: SeriesHandle): void {
    if (!handle.registered) return;
    handle.registered = false;
    const hash = identityHash(keyOf(handle));
    const bucket = this._byHash.get(hash);
    if (bucket === handle) this._byHash.delete(hash);
    else if (Array.isArray(bucket)) {
      const rest = bucket.filter((h) => h !== handle);
      if (rest.length === 1) this._byHash.set(hash, rest[0]!);
      else this._byHash.set(hash, rest);
    }
    if (handle.kind !== 'metric') this.runtime.guard.releaseSeries(FAMILY, handle.kind);
    this.runtime.directory?.remove(handle.native);
    handle.swap(new ReleasedTarget(handle));
  }

  /** Puts a released handle back (called on its first use after release) and returns its target. */
  revive(handle: SeriesHandle): SeriesTarget {
    if (handle.registered) return handle.now();
    const key = keyOf(handle);
    const hash = identityHash(key);
    const bucket = this._byHash.get(hash);
    const live = bucket === undefined ? undefined : Array.isArray(bucket) ? bucket.find((s) => sameIdentity(s.attributes, key)) : sameIdentity(bucket.attributes, key) ? bucket : undefined;
    // Another handle took the identity meanwhile: this one's calls go there.
    if (live !== undefined) return live.now();
    // Refused under the cap: _series finds the overflow series.
    if (handle.kind !== 'metric' && !this.runtime.guard.admitSeries(FAMILY, handle.kind)) return this._series(key, handle.kind).now();
    const version = handle.version;
    const model = version.model;
    if (!model.overflow && !model.versions.has(version.name)) model.versions.set(version.name, version);
    if (!model.overflow && this.models.get(model.name) !== model) this.models.set(model.name, model);
    this._register(handle, hash);
    handle.swap(this.collectorAttached ? handle.native : this.api.target(handle));
    return handle.target;
  }

  private _boundariesFor(buckets: BucketOverrides | undefined, histograms: HistogramKinds | undefined): SeriesBoundaries {
    if (buckets === undefined && histograms === undefined) return DEFAULT_BOUNDARIES;
    const id = JSON.stringify([buckets ?? null, histograms ?? null]);
    let found = this._boundaryCache.get(id);
    if (found === undefined) {
      found = {
        source: buckets,
        latency: buckets?.latency ? boundariesOf(buckets.latency) : DEFAULT_BOUNDARIES.latency,
        confidence: buckets?.confidence ? boundariesOf(buckets.confidence) : DEFAULT_BOUNDARIES.confidence,
        batchSize: buckets?.batchSize ? boundariesOf(buckets.batchSize) : DEFAULT_BOUNDARIES.batchSize,
        timeToFirstItem: buckets?.timeToFirstItem ? boundariesOf(buckets.timeToFirstItem) : DEFAULT_BOUNDARIES.timeToFirstItem,
        streamItems: buckets?.streamItems ? boundariesOf(buckets.streamItems) : DEFAULT_BOUNDARIES.streamItems,
        kinds: histograms ?? {},
      };
      if (this._boundaryCache.size >= MAX_BOUNDARY_CONFIGS) {
        this.runtime.diag.warn('boundary-cache', `@inferometer/core: more than ${MAX_BOUNDARY_CONFIGS} distinct bucket configurations; boundaries are no longer shared`);
      } else {
        this._boundaryCache.set(id, found);
      }
    }
    return found;
  }
}

/** The identity of a handle, as the recorder takes it. */
function keyOf(handle: SeriesHandle): SeriesKey {
  // The user's attributes are the series' own without model and version
  // (rebuilt here, off the call path, rather than kept on every handle).
  const user: Attributes = {};
  for (const name in handle.attributes) if (name !== ATTR_MODEL_NAME && name !== ATTR_MODEL_VERSION) user[name] = handle.attributes[name];
  return { model: handle.version.model.name, version: handle.version.name, attributes: user, buckets: handle.boundaries.source, versionNumber: handle.version.number, histograms: handle.boundaries.kinds };
}

/** The kind that keeps what both `a` and `b` need. */
function unionKind(a: HistogramKind, b: HistogramKind): HistogramKind {
  if (a === b) return a;
  return 'both';
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
  // Signed: a small integer, kept in the Map's key slot itself (unsigned,
  // half of all keys were a heap number of their own, 8 B a series).
  return hash | 0;
}

/** A series' attributes (model, version, user's) against a key: same identity, in any order. */
function sameIdentity(attributes: Attributes, key: SeriesKey): boolean {
  if (attributes[ATTR_MODEL_NAME] !== key.model || attributes[ATTR_MODEL_VERSION] !== key.version) return false;
  const own = Object.keys(attributes).filter((n) => n !== ATTR_MODEL_NAME && n !== ATTR_MODEL_VERSION);
  const theirs = Object.keys(key.attributes).filter((n) => n !== ATTR_MODEL_NAME && n !== ATTR_MODEL_VERSION);
  return own.length === theirs.length && own.every((name) => name in key.attributes && String(attributes[name]) === String(key.attributes[name]));
}

/** The current time as OpenTelemetry HrTime. @internal */
export function hrNow(): HrTimeLike {
  return hrFromMonotonic(performance.now());
}

/** A `performance.now()` reading as OpenTelemetry HrTime (wall clock). @internal */
export function hrFromMonotonic(now: number): HrTimeLike {
  const ms = performance.timeOrigin + now;
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6))];
}
