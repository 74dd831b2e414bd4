import type { Attributes, BatchObservableResult, ObservableGauge } from '@opentelemetry/api';
import type { BoundInferenceObserver, InferenceObserver } from '@inferometer/core';
import { InferometerConfigError } from '@inferometer/core';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION } from '@inferometer/core/catalog';
import { ATTR_FEATURE, ATTR_METHOD, ATTR_PREDICTION, DRIFT_DROP_REASONS, PREDICTION_CLASS, PREDICTION_CONFIDENCE } from '../catalog.js';
import { resolveLimits } from '../limits.js';
import type { FeatureProfile, ReferenceProfile } from '../profile/format.js';
import { parseProfile, ProfileError } from '../profile/parse.js';
import { CountWindow } from '../window/count-window.js';
import { TimeWindow } from '../window/time-window.js';
import { resolveWindow, type SlidingWindow, type WindowSpec } from '../window/window.js';
import { reportError } from './diagnostics.js';
import { FeatureEncoder } from './encoder.js';
import { ingestClasses, ingestConfidence, ingestFeatures, UNSUPPORTED } from './ingest.js';
import { resolveMethods } from './methods.js';
import type { DriftMethod } from '../catalog.js';
import type { DriftMonitorOptions, PredictionDriftOptions } from './options.js';
import { driftRegistry, type DriftInstruments, type DriftMember, type DriftRegistry } from './registry.js';
import { scoreWindow, scratchFor, type ScoredFeature, type WindowContribution } from './threads.js';

/**
 * An {@link InferenceObserver} that watches inputs (and results) for drift:
 * pass it as the `drift` option of `@Instrument`, `instrument()` or
 * `@inferometer/onnxruntime`'s `instrumentSession`.
 */
export interface DriftMonitor extends InferenceObserver {
  /** The profile, checked. */
  readonly reference: ReferenceProfile;
  /** Feature names in input column order. */
  readonly featureNames: readonly string[];
  /**
   * Checks the profile against the model's input: `width` values per row
   * and, when given, the model's feature names in order. Throws a
   * `ProfileError` saying what differs. `@inferometer/onnxruntime` calls it
   * with the input tensor's shape and the ONNX metadata's feature names.
   *
   * @example
   * ```ts
   * monitor.checkFeatures(4, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
   * ```
   */
  checkFeatures(width: number, names?: readonly string[], where?: string): void;
}

/**
 * Default rows before scores are reported. Below about 300 rows the sampling
 * noise of PSI and the Jensen-Shannon distance over 10 bins reaches their
 * alert thresholds (p99 of healthy 100-row windows: PSI 0.31, JS 0.21); at
 * 300 it stays under 60 % of them (see the README's table).
 */
export const DEFAULT_MIN_ROWS = 300;
/** Default model versions watched at once. */
export const DEFAULT_MAX_VERSIONS = 8;
const MAX_VERSIONS = 64;
/** Set-aside versions still reporting NaN, per monitor. */
const MAX_RETIRED = 64;

/** Orders the last use of series across the process: one increment per call. */
let tick = 0;

/**
 * Builds a drift monitor from a reference profile: per model version, a
 * sliding window of bin counts per feature, scored at collection time as
 * `ml_data_drift_score{model_name, model_version, feature, method}` (and
 * `ml_prediction_drift_score` for outputs). Per observed row the cost is one
 * binary search and two array writes per feature; nothing is allocated.
 *
 * Options are checked here: a bad option, or a profile that does not match
 * `featureNames`, throws naming it. At run time nothing is thrown into the
 * caller: rows that cannot be read are counted in
 * `inferometer_drift_dropped_observations_total{model_name, reason}`.
 *
 * The option is `drift: driftMonitor({ reference, features })`, not a plain
 * `{ reference, features }` object: the monitor is built, and its options
 * checked, by this package, which core does not depend on.
 *
 * @example
 * ```ts
 * import { Instrument } from '@inferometer/core';
 * import { driftMonitor } from '@inferometer/drift';
 *
 * const drift = driftMonitor({ reference: JSON.parse(readFileSync('reference.json', 'utf8')), features: (rows: number[][]) => rows });
 *
 * class Model {
 *   @Instrument({ model: 'iris', version: '1.0.0', drift })
 *   async predict(rows: number[][]) { ... }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's this, arguments and result
export function driftMonitor<Args extends unknown[] = any[], Result = any>(options: DriftMonitorOptions<Args, Result>): DriftMonitor {
  return new Monitor(options as DriftMonitorOptions);
}

const WHERE = 'driftMonitor(options)';

interface Compiled {
  readonly encoder: FeatureEncoder;
  readonly methods: readonly (readonly DriftMethod[])[];
}

class Monitor implements DriftMonitor {
  readonly reference: ReferenceProfile;
  readonly featureNames: readonly string[];
  readonly features: (...args: unknown[]) => unknown;
  readonly inputs: Compiled;
  readonly classes: Compiled | undefined;
  readonly confidence: Compiled | undefined;
  readonly classExtractor: ((result: unknown) => unknown) | undefined;
  readonly confidenceExtractor: ((result: unknown) => unknown) | undefined;
  readonly window: WindowSpec;
  readonly minRows: number;
  private readonly _maxVersions: number;
  /** The process's registry, taken once: the observed calls use it without a lookup. */
  readonly registry: DriftRegistry = driftRegistry();
  private readonly _series = new Map<string, BoundSeries>();
  private readonly _retired = new Set<BoundSeries>();
  private _active = 0;

  constructor(options: DriftMonitorOptions) {
    if (options === null || typeof options !== 'object') {
      throw new InferometerConfigError('options', `${WHERE}: options must be an object such as { reference, features: (rows) => rows }`, ['an object such as { reference, features: (rows) => rows }']);
    }
    const limits = resolveLimits(WHERE, options.limits);
    try {
      this.reference = parseProfile(options.reference, limits);
    } catch (err) {
      if (err instanceof ProfileError) throw new ProfileError(`${WHERE}: option "reference" is not a usable profile: ${err.message}`);
      throw err;
    }
    if (typeof options.features !== 'function') {
      throw new InferometerConfigError('features', `${WHERE}: option "features" must be a function reading the features from the call's arguments, e.g. (rows) => rows; got ${typeof options.features}`, ["a function of the call's arguments returning the feature rows"]);
    }
    this.features = options.features as (...args: unknown[]) => unknown;
    const profiles = orderFeatures(this.reference, options.featureNames);
    this.featureNames = profiles.map((p) => p.name);
    const numeric = resolveMethods(WHERE, 'numeric', options.methods?.numeric);
    const categorical = resolveMethods(WHERE, 'categorical', options.methods?.categorical);
    this.inputs = {
      encoder: new FeatureEncoder(profiles),
      methods: profiles.map((p) => (p.type === 'numeric' ? numeric : categorical)),
    };
    const predictions = checkPredictions(options.predictions, this.reference);
    this.classExtractor = predictions?.class;
    this.confidenceExtractor = predictions?.confidence;
    const classProfile = this.reference.predictions?.class;
    const confidenceProfile = this.reference.predictions?.confidence;
    this.classes = this.classExtractor && classProfile ? { encoder: new FeatureEncoder([classProfile], predictions?.classNames), methods: [categorical] } : undefined;
    this.confidence = this.confidenceExtractor && confidenceProfile ? { encoder: new FeatureEncoder([confidenceProfile]), methods: [numeric] } : undefined;
    this.window = resolveWindow(WHERE, options.window, profiles.length);
    const minRows = options.minRows ?? Math.min(DEFAULT_MIN_ROWS, this.window.kind === 'count' ? this.window.count : DEFAULT_MIN_ROWS);
    if (!Number.isInteger(minRows) || minRows < 1) {
      throw new InferometerConfigError('minRows', `${WHERE}: option "minRows" must be a whole number of rows >= 1; got ${String(options.minRows)}`, ['a whole number of rows >= 1']);
    }
    if (this.window.kind === 'count' && minRows > this.window.count) {
      throw new InferometerConfigError('minRows', `${WHERE}: option "minRows" (${minRows}) is more than option "window.count" (${this.window.count}): no score would ever be reported`, [`a whole number of rows from 1 to window.count (${this.window.count})`], { related: ['window.count'], code: 'ERR_INFEROMETER_CONFLICTING_OPTIONS' });
    }
    this.minRows = minRows;
    const maxVersions = options.maxVersions ?? DEFAULT_MAX_VERSIONS;
    if (!Number.isInteger(maxVersions) || maxVersions < 1 || maxVersions > MAX_VERSIONS) {
      throw new InferometerConfigError('maxVersions', `${WHERE}: option "maxVersions" must be a whole number from 1 to ${MAX_VERSIONS}; got ${String(options.maxVersions)}`, [`a whole number from 1 to ${MAX_VERSIONS}`]);
    }
    this._maxVersions = maxVersions;
  }

  bind(series: { readonly model: string; readonly version: string }): BoundInferenceObserver {
    // Core binds once per (version, attribute values) combination: several
    // combinations of one version share one window.
    const key = `${series.model}\u0000${series.version}`;
    let bound = this._series.get(key);
    if (bound === undefined) {
      bound = new BoundSeries(this, series.model, series.version);
      this._series.set(key, bound);
      this.admit(bound);
    }
    return bound;
  }

  checkFeatures(width: number, names?: readonly string[], where = 'the model input'): void {
    const expected = this.featureNames;
    if (width !== expected.length) {
      throw new ProfileError(`the reference profile has ${expected.length} features (${expected.join(', ')}) but ${where} has ${width} values per row; build the profile from the model's training data`);
    }
    if (names !== undefined && names.some((name, i) => name !== expected[i])) {
      throw new ProfileError(`the reference profile's features (${expected.join(', ')}) do not match ${where} (${names.join(', ')}); pass featureNames in the model's column order, or rebuild the profile`);
    }
  }

  /** Gives a series its windows, setting aside the least recently used one past the cap. */
  admit(series: BoundSeries): SeriesState {
    if (this._active >= this._maxVersions) {
      let oldest: BoundSeries | undefined;
      for (const candidate of this._series.values()) {
        if (candidate.state !== null && (oldest === undefined || candidate.lastUsed < oldest.lastUsed)) oldest = candidate;
      }
      if (oldest !== undefined) this._retire(oldest);
    }
    const state = new SeriesState(this, series.model, series.version);
    series.state = state;
    series.retired = null;
    this._retired.delete(series);
    this._active++;
    this.registry.add(series);
    return state;
  }

  /**
   * Sets a series aside: its windows go; it stays registered to report NaN
   * for the series it had reported, for the last {@link MAX_RETIRED} set
   * aside (the SDK keeps the NaN after that).
   */
  private _retire(series: BoundSeries): void {
    series.retired = series.state;
    series.state = null;
    this._active--;
    this._retired.add(series);
    if (this._retired.size > MAX_RETIRED) {
      const oldest = this._retired.values().next().value as BoundSeries;
      this._retired.delete(oldest);
      oldest.retired = null;
      this.registry.remove(oldest);
    }
  }
}

/** The windows and precomputed attributes of one model version. */
class SeriesState {
  readonly inputs: Scored;
  readonly classes: Scored | undefined;
  readonly confidence: Scored | undefined;
  readonly timed: boolean;

  constructor(monitor: Monitor, model: string, version: string) {
    const base = { [ATTR_MODEL_NAME]: model, [ATTR_MODEL_VERSION]: version };
    const now = performance.now();
    const spec = monitor.window;
    this.timed = spec.kind === 'time';
    // A window's identity across threads: the series, what it watches, and how (the window's kind and size).
    const identity = (watched: string): string => JSON.stringify([model, version, watched, spec]);
    this.inputs = new Scored(monitor.inputs, spec, now, (j, method) => ({ ...base, [ATTR_FEATURE]: monitor.featureNames[j]!, [ATTR_METHOD]: method }), identity(`inputs:${monitor.featureNames.join(',')}`), 'data');
    this.classes = monitor.classes && new Scored(monitor.classes, spec, now, (_j, method) => ({ ...base, [ATTR_METHOD]: method, [ATTR_PREDICTION]: PREDICTION_CLASS }), identity(PREDICTION_CLASS), 'prediction');
    this.confidence =
      monitor.confidence && new Scored(monitor.confidence, spec, now, (_j, method) => ({ ...base, [ATTR_METHOD]: method, [ATTR_PREDICTION]: PREDICTION_CONFIDENCE }), identity(PREDICTION_CONFIDENCE), 'prediction');
  }
}

/** One window, its encoder, and what collection needs, all allocated up front. */
class Scored {
  readonly encoder: FeatureEncoder;
  readonly window: SlidingWindow;
  readonly slots: Uint16Array;
  private readonly _features: readonly ScoredFeature[];
  private readonly _scratch: ReturnType<typeof scratchFor>;
  /** Windows of one key are added across threads (see threads.ts): the series, what is watched, the profile and the settings. */
  private _key: string | undefined;

  constructor(
    compiled: Compiled,
    spec: WindowSpec,
    now: number,
    attributes: (feature: number, method: DriftMethod) => Attributes,
    private readonly _identity: string,
    readonly gauge: 'data' | 'prediction',
  ) {
    const encoder = compiled.encoder;
    this.encoder = encoder;
    this.window = spec.kind === 'count' ? new CountWindow(encoder, spec.count) : new TimeWindow(encoder, spec.seconds, spec.slices, now);
    this.slots = new Uint16Array(encoder.features);
    this._features = compiled.methods.map((methods, j) => ({
      offset: encoder.offsets[j]!,
      bins: encoder.bins[j]!,
      expected: encoder.expected[j]!,
      methods,
      attributes: methods.map((method) => attributes(j, method)),
    }));
    this._scratch = scratchFor(this._features);
  }

  /** Whether this window has reported scores (its series then exist in the SDK). */
  reported = false;

  /**
   * Scores every feature over the window and reports them into `gauge`.
   *
   * The JS SDK keeps an observable gauge's last value for a series that a
   * callback stops observing (cumulative temporality), so a window that runs
   * dry would show its last score forever. Once reported, a series therefore
   * reports NaN while the window holds fewer than `minRows` rows: Prometheus
   * shows a gap and `> threshold` alerts resolve.
   */
  report(result: BatchObservableResult, gauge: ObservableGauge, minRows: number): void {
    if (this.window.rows() < minRows) {
      if (this.reported) this.reportNaN(result, gauge);
      return;
    }
    this.reported = true;
    scoreWindow(this.window.totals(), this._features, this._scratch, (value, attributes) => result.observe(gauge, value, attributes));
  }

  /** Every series of this window as NaN: no data. */
  reportNaN(result: BatchObservableResult, gauge: ObservableGauge): void {
    for (const feature of this._features) for (const a of feature.attributes) result.observe(gauge, Number.NaN, a);
  }

  /** This window's counts now, for the main thread's union of every thread's windows. */
  contribution(minRows: number): WindowContribution {
    this._key ??= `${this._identity}\u0000${minRows}\u0000${JSON.stringify(this._features.map((f) => [f.bins, Array.from(f.expected), f.methods]))}`;
    return { key: this._key, gauge: this.gauge, minRows, rows: this.window.rows(), totals: Array.from(this.window.totals()), features: this._features };
  }
}

/** The hooks core calls for one (model, version), and its collection. */
class BoundSeries implements BoundInferenceObserver, DriftMember {
  state: SeriesState | null = null;
  /** The state it had when set aside, kept to report NaN for its series. */
  retired: SeriesState | null = null;
  lastUsed = 0;

  constructor(
    private readonly _monitor: Monitor,
    readonly model: string,
    readonly version: string,
  ) {}

  input(args: readonly unknown[]): void {
    const state = this.state ?? this._monitor.admit(this);
    this.lastUsed = ++tick;
    this._monitor.registry.ensure();
    let input: unknown;
    try {
      input = Reflect.apply(this._monitor.features, undefined, args);
    } catch (err) {
      reportError('features extractor', err);
      this._monitor.registry.dropped(this.model, DRIFT_DROP_REASONS.extractor);
      return;
    }
    if (input === undefined || input === null) return;
    const scored = state.inputs;
    if (state.timed) scored.window.advance(performance.now());
    this._count(ingestFeatures(input, scored.encoder, scored.window, scored.slots));
  }

  output(result: unknown): void {
    const state = this.state;
    if (state === null) return;
    const monitor = this._monitor;
    const now = state.timed ? performance.now() : 0;
    const classes = state.classes;
    if (classes !== undefined) {
      const value = this._extract(monitor.classExtractor!, result);
      if (value !== undefined && value !== null) {
        if (state.timed) classes.window.advance(now);
        this._count(ingestClasses(value, classes.encoder, classes.window, classes.slots));
      }
    }
    const confidence = state.confidence;
    if (confidence !== undefined) {
      const value = this._extract(monitor.confidenceExtractor!, result);
      if (value !== undefined && value !== null) {
        if (state.timed) confidence.window.advance(now);
        this._count(ingestConfidence(value, confidence.encoder, confidence.window, confidence.slots));
      }
    }
  }

  collect(result: BatchObservableResult, instruments: DriftInstruments, now: number): void {
    const state = this.state;
    if (state === null) {
      // Set aside: its windows are gone; its series read NaN (see Scored.report).
      const retired = this.retired;
      if (retired !== null) {
        for (const scored of [retired.inputs, retired.classes, retired.confidence]) {
          if (scored?.reported) scored.reportNaN(result, scored === retired.inputs ? instruments.data : instruments.prediction);
        }
      }
      return;
    }
    const minRows = this._monitor.minRows;
    for (const scored of [state.inputs, state.classes, state.confidence]) {
      if (scored === undefined) continue;
      if (state.timed) scored.window.advance(now);
      scored.report(result, scored === state.inputs ? instruments.data : instruments.prediction, minRows);
    }
  }

  contribute(out: WindowContribution[], now: number): void {
    const state = this.state;
    if (state === null) return;
    for (const scored of [state.inputs, state.classes, state.confidence]) {
      if (scored === undefined) continue;
      if (state.timed) scored.window.advance(now);
      out.push(scored.contribution(this._monitor.minRows));
    }
  }

  /** Runs a predictions extractor; a throw costs that observation, counted. */
  private _extract(extract: (result: unknown) => unknown, result: unknown): unknown {
    try {
      return extract(result);
    } catch (err) {
      reportError('predictions extractor', err);
      this._monitor.registry.dropped(this.model, DRIFT_DROP_REASONS.extractor);
      return undefined;
    }
  }

  private _count(outcome: number): void {
    if (outcome === UNSUPPORTED) this._monitor.registry.dropped(this.model, DRIFT_DROP_REASONS.unsupported);
    else if (outcome > 0) this._monitor.registry.dropped(this.model, DRIFT_DROP_REASONS.shape, outcome);
  }
}

/** The profile's features in input column order, checked against `featureNames`. */
function orderFeatures(reference: ReferenceProfile, featureNames: readonly string[] | undefined): FeatureProfile[] {
  if (featureNames === undefined) return [...reference.features];
  if (!Array.isArray(featureNames) || !featureNames.every((n) => typeof n === 'string')) {
    throw new InferometerConfigError('featureNames', `${WHERE}: option "featureNames" must be an array of the model's feature names in column order`, ["an array of the model's feature names in column order"]);
  }
  const byName = new Map(reference.features.map((f) => [f.name, f]));
  const unknown = featureNames.filter((n) => !byName.has(n));
  const absent = reference.features.map((f) => f.name).filter((n) => !featureNames.includes(n));
  if (unknown.length > 0 || absent.length > 0 || new Set(featureNames).size !== featureNames.length) {
    throw new ProfileError(
      `${WHERE}: the reference profile does not match option "featureNames"` +
        (unknown.length > 0 ? `; not in the profile: ${unknown.join(', ')}` : '') +
        (absent.length > 0 ? `; in the profile but not in featureNames: ${absent.join(', ')}` : '') +
        (new Set(featureNames).size !== featureNames.length ? '; featureNames repeats a name' : ''),
    );
  }
  return featureNames.map((n) => byName.get(n)!);
}

function checkPredictions(options: PredictionDriftOptions | undefined, reference: ReferenceProfile): PredictionDriftOptions | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') {
    throw new InferometerConfigError('predictions', `${WHERE}: option "predictions" must be an object such as { class: (result) => result.labels, confidence: (result) => result.probabilities }`, ['an object such as { class: (result) => result.labels, confidence: (result) => result.probabilities }']);
  }
  for (const name of ['class', 'confidence'] as const) {
    const extract = options[name];
    if (extract === undefined) continue;
    if (typeof extract !== 'function') throw new InferometerConfigError(`predictions.${name}`, `${WHERE}: option "predictions.${name}" must be a function of the result`, ['a function of the result']);
    if (reference.predictions?.[name] === undefined) {
      throw new ProfileError(`${WHERE}: option "predictions.${name}" needs predictions.${name} in the reference profile; build it with the prediction columns (inferometer-profile --prediction-${name} <column>)`);
    }
  }
  if (options.classNames !== undefined && (!Array.isArray(options.classNames) || !options.classNames.every((n) => typeof n === 'string'))) {
    throw new InferometerConfigError('predictions.classNames', `${WHERE}: option "predictions.classNames" must be an array of class names, index i naming class i`, ['an array of class names, index i naming class i']);
  }
  return options;
}
