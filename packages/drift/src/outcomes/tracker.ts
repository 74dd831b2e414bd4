import type { Attributes, BatchObservableResult } from '@opentelemetry/api';
import { InferometerConfigError, type BoundInferenceObserver, type InferenceObserver } from '@inferometer/core';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION, DEFAULT_CONFIDENCE_BUCKETS, OVERFLOW_VALUE } from '@inferometer/core/catalog';
import { ATTR_ACTUAL, ATTR_CONFIDENCE_BIN, ATTR_EVENT, ATTR_PREDICTED, ATTR_RESULT, OUTCOME_EVENTS, OUTCOME_RESULTS } from '../quality-catalog.js';
import { reportError } from '../monitor/diagnostics.js';
import { qualityRegistry, type QualityInstruments, type QualityMember, type QualityRegistry, type Tally } from '../quality/registry.js';
import type { OutcomeStatus, OutcomeTrackerOptions, PredictionId } from './options.js';
import { DUPLICATE, LATE, OutcomeStore, type StoreEvents } from './store.js';

/**
 * Joins delayed outcomes (ground truth) with the predictions they belong
 * to. Pass it as the `drift` option (alone, or with a drift monitor through
 * `combineObservers`): each successful call's predictions are kept under
 * their ids; {@link report} joins an outcome later, from anywhere in the
 * process.
 */
export interface OutcomeTracker extends InferenceObserver {
  /**
   * Reports the outcome (the true class, or the true value) of the
   * prediction kept under `id`. Never throws: what it did is returned and,
   * unless joined, counted in `inferometer_outcome_events_total{event}`.
   *
   * @example
   * ```ts
   * app.post('/feedback', (req, res) => res.status(outcomes.report(req.body.id, req.body.label) === 'joined' ? 202 : 404).end());
   * ```
   */
  report(id: PredictionId, actual: unknown): OutcomeStatus;
  /**
   * The generated id(s) of a result (without the `id` option): one id, or
   * one per row of a batch; `undefined` for a result the tracker did not
   * keep. Read it where the result is handed back (an HTTP response) so the
   * client can report the outcome later.
   *
   * @example
   * ```ts
   * const result = await predict(rows);
   * res.json({ ...result, predictionIds: outcomes.idsOf(result) });
   * ```
   */
  idsOf(result: unknown): string | readonly string[] | undefined;
  /** Predictions held now. */
  readonly size: number;
}

/** Default most predictions held. */
export const DEFAULT_MAX_ENTRIES = 100_000;
/** Default longest wait for an outcome, in seconds. */
export const DEFAULT_MAX_AGE_SECONDS = 86_400;
/** Default longest id. */
export const DEFAULT_MAX_ID_LENGTH = 256;
/** Default most class names per version. */
export const DEFAULT_MAX_CLASSES = 32;
/** Most (model, version) series one tracker binds; later ones keep nothing (the store indexes owners in 16 bits). */
const MAX_BOUND = 1024;

const WHERE = 'outcomeTracker(options)';

/**
 * Builds the outcome tracker: the join store, bounded by entries
 * (`maxEntries`) and age (`maxAgeSeconds`), and the realised-performance
 * metrics per model version, reported at collection:
 * `ml_prediction_outcomes_total{result}`, `ml_prediction_confusion_total`,
 * `ml_prediction_outcomes_by_confidence_total` and
 * `ml_prediction_outcome_confidence_total` (calibration),
 * `ml_prediction_absolute_error`, `ml_prediction_squared_error_total`,
 * `ml_prediction_signed_error` (regression),
 * `ml_prediction_label_delay_seconds`, `ml_predictions_kept_total`, and the
 * confidence-based estimate `ml_prediction_expected_correct_total` over
 * `ml_predictions_scored_total`.
 *
 * Per kept prediction the cost is one id map insert and five array writes;
 * nothing of the arguments or the result is retained.
 *
 * @example
 * ```ts
 * import { instrument } from '@inferometer/core';
 * import { outcomeTracker } from '@inferometer/drift';
 *
 * const outcomes = outcomeTracker({
 *   task: 'classification',
 *   id: ([request]) => request.id,
 *   prediction: (result) => result.label,
 *   confidence: (result) => result.probabilities,
 * });
 * const predict = instrument(model.predict, { model: 'iris', version: '1.0.0', drift: outcomes });
 * // later, when the truth is known:
 * outcomes.report(requestId, 'setosa');
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's arguments and result
export function outcomeTracker<Args extends unknown[] = any[], Result = any>(options: OutcomeTrackerOptions<Args, Result>): OutcomeTracker {
  return new Tracker(options as unknown as OutcomeTrackerOptions);
}

function wholeNumber(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InferometerConfigError(name, `${WHERE}: option "${name}" must be a whole number from ${min} to ${max}; got ${String(value)}`, [`a whole number from ${min} to ${max}`]);
  }
  return value;
}

function optionalFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InferometerConfigError(name, `${WHERE}: option "${name}" must be a function; got ${typeof value}`, ['a function']);
  }
}

const KNOWN_OPTIONS = ['task', 'id', 'prediction', 'confidence', 'classNames', 'maxEntries', 'maxAgeSeconds', 'maxIdLength', 'maxClasses', 'confidenceBins', 'clock'];

/** Small integers' decimal strings, so integer classes and ids need no allocation. */
const INTEGER_STRINGS: readonly string[] = Array.from({ length: 1024 }, (_, i) => String(i));

let trackers = 0;

class Tracker implements OutcomeTracker, StoreEvents, QualityMember {
  readonly classification: boolean;
  readonly idOf: ((args: unknown[], result: unknown) => unknown) | undefined;
  readonly predictionOf: (result: unknown, args: unknown[]) => unknown;
  readonly confidenceOf: ((result: unknown) => unknown) | undefined;
  readonly classNames: readonly string[] | undefined;
  readonly maxIdLength: number;
  readonly maxClasses: number;
  readonly bins: Float64Array;
  readonly binNames: readonly string[];
  readonly store: OutcomeStore;
  readonly clock: () => number;
  readonly registry: QualityRegistry = qualityRegistry();
  readonly bound: Series[] = [];
  private readonly _byKey = new Map<string, Series>();
  /** Events with no model known (unknown or invalid ids at report). */
  private readonly _events = new Map<string, Tally>();
  private readonly _generated = new WeakMap<object, string | string[]>();
  private readonly _prefix: string;
  private _counter = 0;

  constructor(options: OutcomeTrackerOptions) {
    if (options === null || typeof options !== 'object') {
      throw new InferometerConfigError('options', `${WHERE}: options must be an object such as { task: 'classification', prediction: (result) => result.label }`, ['an object']);
    }
    for (const key of Object.keys(options)) {
      if (!KNOWN_OPTIONS.includes(key)) throw new InferometerConfigError(key, `${WHERE}: unknown option "${key}"; accepted: ${KNOWN_OPTIONS.join(', ')}`, KNOWN_OPTIONS);
    }
    if (options.task !== 'classification' && options.task !== 'regression') {
      throw new InferometerConfigError('task', `${WHERE}: option "task" must be 'classification' or 'regression'; got ${String(options.task)}`, ['classification', 'regression']);
    }
    this.classification = options.task === 'classification';
    if (typeof options.prediction !== 'function') {
      throw new InferometerConfigError('prediction', `${WHERE}: option "prediction" must be a function reading the predicted class or value from the result, e.g. (result) => result.label; got ${typeof options.prediction}`, ['a function']);
    }
    optionalFunction('id', options.id);
    optionalFunction('confidence', options.confidence);
    optionalFunction('clock', options.clock);
    if (options.confidence !== undefined && !this.classification) {
      throw new InferometerConfigError('confidence', `${WHERE}: option "confidence" applies to task 'classification' only`, ['undefined for regression']);
    }
    if (options.classNames !== undefined && (!Array.isArray(options.classNames) || !options.classNames.every((n) => typeof n === 'string' && n !== ''))) {
      throw new InferometerConfigError('classNames', `${WHERE}: option "classNames" must be an array of non-empty class names, index i naming class i`, ['an array of strings']);
    }
    this.idOf = options.id as typeof this.idOf;
    this.predictionOf = options.prediction as typeof this.predictionOf;
    this.confidenceOf = options.confidence;
    this.classNames = options.classNames;
    const maxEntries = wholeNumber('maxEntries', options.maxEntries, DEFAULT_MAX_ENTRIES, 1, 10_000_000);
    const maxAge = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
    if (typeof maxAge !== 'number' || !(maxAge > 0) || !Number.isFinite(maxAge)) {
      throw new InferometerConfigError('maxAgeSeconds', `${WHERE}: option "maxAgeSeconds" must be a positive finite number of seconds; got ${String(options.maxAgeSeconds)}`, ['a positive number of seconds']);
    }
    this.maxIdLength = wholeNumber('maxIdLength', options.maxIdLength, DEFAULT_MAX_ID_LENGTH, 1, 4096);
    this.maxClasses = wholeNumber('maxClasses', options.maxClasses, DEFAULT_MAX_CLASSES, 2, 256);
    const bins = options.confidenceBins ?? DEFAULT_CONFIDENCE_BUCKETS;
    if (!Array.isArray(bins) || bins.length === 0 || bins.some((b, i) => typeof b !== 'number' || !(b > 0) || b > 1 || (i > 0 && b <= bins[i - 1]!)) || bins[bins.length - 1] !== 1) {
      throw new InferometerConfigError('confidenceBins', `${WHERE}: option "confidenceBins" must be increasing upper bounds in (0, 1] ending with 1, e.g. [0.5, 0.75, 1]`, ['increasing numbers in (0, 1] ending with 1']);
    }
    this.bins = Float64Array.from(bins);
    this.binNames = bins.map(String);
    this.clock = options.clock ?? (() => performance.now());
    // Tombstones for as many ids as the store holds, at least 65,536 and at
    // most a million (a 32-bit hash and a small integer each, a few MB at
    // most): an outcome for a prediction dropped or joined that long ago is
    // told late or duplicate; older ones read as unknown.
    this.store = new OutcomeStore(maxEntries, maxAge * 1000, Math.min(Math.max(maxEntries, 65_536), 1_000_000), this);
    this._prefix = `${(++trackers).toString(36)}${Math.random().toString(36).slice(2, 8)}-`;
    this.registry.add(this);
  }

  get size(): number {
    return this.store.size;
  }

  bind(series: { readonly model: string; readonly version: string }): BoundInferenceObserver {
    const key = `${series.model}\u0000${series.version}`;
    let bound = this._byKey.get(key);
    if (bound === undefined) {
      if (this.bound.length >= MAX_BOUND) return {};
      bound = new Series(this, this.bound.length, series.model, series.version);
      this.bound.push(bound);
      this._byKey.set(key, bound);
    }
    return bound;
  }

  idsOf(result: unknown): string | readonly string[] | undefined {
    if (result === null || (typeof result !== 'object' && typeof result !== 'function')) return undefined;
    return this._generated.get(result);
  }

  /** A fresh generated id. */
  nextId(): string {
    const n = this._counter++;
    return this._prefix + (n < 1024 ? INTEGER_STRINGS[n]! : n.toString(36));
  }

  remember(result: unknown, ids: string | string[]): boolean {
    if (result === null || (typeof result !== 'object' && typeof result !== 'function')) return false;
    this._generated.set(result, ids);
    return true;
  }

  /** The id as a string key, or undefined when unusable. */
  key(id: unknown): string | undefined {
    if (typeof id === 'string') return id.length > 0 && id.length <= this.maxIdLength ? id : undefined;
    if (typeof id === 'number') {
      if (!Number.isFinite(id)) return undefined;
      return Number.isInteger(id) && id >= 0 && id < 1024 ? INTEGER_STRINGS[id] : String(id);
    }
    if (typeof id === 'bigint') return String(id);
    return undefined;
  }

  /** A class as its name, or undefined when it is no class. */
  label(value: unknown): string | undefined {
    if (typeof value === 'string') return value === '' || value.length > this.maxIdLength ? undefined : value;
    if (typeof value === 'bigint') value = Number(value);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return undefined;
      if (Number.isInteger(value) && value >= 0) {
        const names = this.classNames;
        if (names !== undefined && value < names.length) return names[value];
        if (value < 1024) return INTEGER_STRINGS[value];
      }
      return String(value);
    }
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    return undefined;
  }

  report(id: PredictionId, actual: unknown): OutcomeStatus {
    try {
      const key = this.key(id);
      if (key === undefined) {
        this.event(undefined, OUTCOME_EVENTS.invalidId);
        return 'invalid';
      }
      let label: string | undefined;
      let value = 0;
      if (this.classification) {
        label = this.label(actual);
        if (label === undefined) {
          this.event(undefined, OUTCOME_EVENTS.invalidOutcome);
          return 'invalid';
        }
      } else {
        value = typeof actual === 'number' ? actual : typeof actual === 'bigint' ? Number(actual) : Number.NaN;
        if (!Number.isFinite(value)) {
          this.event(undefined, OUTCOME_EVENTS.invalidOutcome);
          return 'invalid';
        }
      }
      const store = this.store;
      const now = this.clock();
      const slot = store.take(key, now);
      if (slot < 0) {
        if (slot === -LATE || slot === -DUPLICATE) {
          const owner = this.bound[store.lastOwner];
          this.event(owner, slot === -LATE ? OUTCOME_EVENTS.late : OUTCOME_EVENTS.duplicate);
          return slot === -LATE ? 'late' : 'duplicate';
        }
        this.event(undefined, OUTCOME_EVENTS.unknown);
        return 'unknown';
      }
      const series = this.bound[store.owners[slot]!]!;
      series.held--;
      series.join(slot, label, value, now);
      return 'joined';
    } catch (err) {
      reportError('report an outcome', err);
      return 'invalid';
    }
  }

  dropped(owner: number, expired: boolean): void {
    const series = this.bound[owner];
    if (series === undefined) return;
    series.held--;
    this.event(series, expired ? OUTCOME_EVENTS.expired : OUTCOME_EVENTS.evicted);
  }

  /** Counts an event, against a series' model when known. */
  event(series: Series | undefined, event: string): void {
    if (series !== undefined) {
      series.event(event);
      return;
    }
    let tally = this._events.get(event);
    if (tally === undefined) {
      tally = { attributes: { [ATTR_EVENT]: event }, count: 0 };
      this._events.set(event, tally);
    }
    tally.count++;
  }

  /** Events counted so far (tests, diagnostics): across models, or for one. */
  eventCount(event: string, model?: string): number {
    let total = model === undefined ? (this._events.get(event)?.count ?? 0) : 0;
    for (const s of this.bound) if (model === undefined || s.model === model) total += s.events.get(event)?.count ?? 0;
    return total;
  }

  collect(result: BatchObservableResult, instruments: QualityInstruments): void {
    // Age first, so the store's gauge and the expired count are current.
    this.store.sweep(this.clock());
    for (const tally of this._events.values()) result.observe(instruments.events, tally.count, tally.attributes);
    const held = new Map<string, number>();
    for (const series of this.bound) {
      series.collect(result, instruments);
      held.set(series.model, (held.get(series.model) ?? 0) + series.held);
    }
    for (const [model, count] of held) result.observe(instruments.storeEntries, count, { [ATTR_MODEL_NAME]: model });
  }
}

/** One model version's kept predictions and realised figures. */
class Series implements BoundInferenceObserver {
  readonly attributes: Attributes;
  readonly events = new Map<string, Tally>();
  /** Predictions of this series the store holds now. */
  held = 0;
  kept = 0;
  scored = 0;
  expectedCorrect = 0;
  correct = 0;
  incorrect = 0;
  observed = 0;
  squaredError = 0;
  signedError = 0;
  /** Correct and incorrect per confidence bin, interleaved. */
  readonly byConfidence: Float64Array;
  readonly confidenceSum: Float64Array;
  /** Class names seen, capped at maxClasses. */
  private readonly _classes = new Set<string>();
  private readonly _confusion = new Map<string, Tally>();
  private readonly _attributeSets: { outcomes: Attributes[]; byConfidence: Attributes[][]; confidence: Attributes[] };

  constructor(
    private readonly _tracker: Tracker,
    readonly index: number,
    readonly model: string,
    readonly version: string,
  ) {
    const base = { [ATTR_MODEL_NAME]: model, [ATTR_MODEL_VERSION]: version };
    this.attributes = base;
    const bins = _tracker.bins.length;
    this.byConfidence = new Float64Array(bins * 2);
    this.confidenceSum = new Float64Array(bins);
    this._attributeSets = {
      outcomes: [OUTCOME_RESULTS.correct, OUTCOME_RESULTS.incorrect, OUTCOME_RESULTS.observed].map((r) => ({ ...base, [ATTR_RESULT]: r })),
      byConfidence: _tracker.binNames.map((bin) => [OUTCOME_RESULTS.correct, OUTCOME_RESULTS.incorrect].map((r) => ({ ...base, [ATTR_CONFIDENCE_BIN]: bin, [ATTR_RESULT]: r }))),
      confidence: _tracker.binNames.map((bin) => ({ ...base, [ATTR_CONFIDENCE_BIN]: bin })),
    };
  }

  event(event: string): void {
    let tally = this.events.get(event);
    if (tally === undefined) {
      tally = { attributes: { [ATTR_MODEL_NAME]: this.model, [ATTR_EVENT]: event }, count: 0 };
      this.events.set(event, tally);
    }
    tally.count++;
  }

  /** The core hook: keeps each row's prediction under its id. */
  output(result: unknown, args?: readonly unknown[]): void {
    const tracker = this._tracker;
    const callArgs = (args ?? []) as unknown[];
    let predicted: unknown;
    let ids: unknown;
    let confidence: unknown;
    try {
      predicted = tracker.predictionOf(result, callArgs);
      if (tracker.idOf !== undefined) ids = tracker.idOf(callArgs, result);
      if (tracker.confidenceOf !== undefined) confidence = tracker.confidenceOf(result);
    } catch (err) {
      reportError('outcome tracker extractor', err);
      this.event(OUTCOME_EVENTS.extractor);
      return;
    }
    if (predicted === undefined || predicted === null) return;
    const now = tracker.clock();
    if (typeof predicted !== 'object') {
      // One prediction.
      let id: unknown = ids;
      if (tracker.idOf === undefined) {
        id = tracker.nextId();
        if (!tracker.remember(result, id as string)) {
          this.event(OUTCOME_EVENTS.invalidId);
          return;
        }
      }
      this._keep(id, predicted, rowConfidence(confidence, 0, 1), now);
      return;
    }
    const rows = predicted as ArrayLike<unknown>;
    const n = typeof rows.length === 'number' ? rows.length : -1;
    if (n < 0) {
      this.event(OUTCOME_EVENTS.extractor);
      return;
    }
    let list: ArrayLike<unknown>;
    if (tracker.idOf === undefined) {
      const generated = new Array<string>(n);
      for (let i = 0; i < n; i++) generated[i] = tracker.nextId();
      if (!tracker.remember(result, generated)) {
        this.event(OUTCOME_EVENTS.invalidId);
        return;
      }
      list = generated;
    } else if (ids !== null && typeof ids === 'object' && typeof (ids as ArrayLike<unknown>).length === 'number') {
      list = ids as ArrayLike<unknown>;
      if (list.length !== n) {
        this.event(OUTCOME_EVENTS.extractor);
        return;
      }
    } else {
      // One id for a one-row batch.
      if (n !== 1) {
        this.event(OUTCOME_EVENTS.extractor);
        return;
      }
      list = [ids];
    }
    for (let i = 0; i < n; i++) this._keep(list[i], rows[i], rowConfidence(confidence, i, n), now);
  }

  private _keep(id: unknown, predicted: unknown, confidence: number, now: number): void {
    const tracker = this._tracker;
    const key = tracker.key(id);
    if (key === undefined) {
      this.event(OUTCOME_EVENTS.invalidId);
      return;
    }
    let label: string | undefined;
    let value = 0;
    if (tracker.classification) {
      label = tracker.label(predicted);
      if (label === undefined) {
        this.event(OUTCOME_EVENTS.extractor);
        return;
      }
    } else {
      value = typeof predicted === 'number' ? predicted : typeof predicted === 'bigint' ? Number(predicted) : Number.NaN;
      if (!Number.isFinite(value)) {
        this.event(OUTCOME_EVENTS.extractor);
        return;
      }
    }
    const store = tracker.store;
    let slot = store.put(key, now);
    if (slot < 0) {
      slot = -1 - slot;
      this.event(OUTCOME_EVENTS.reused);
      const previous = tracker.bound[store.owners[slot]!];
      if (previous !== undefined) previous.held--;
    }
    this.held++;
    store.owners[slot] = this.index;
    store.labels[slot] = label;
    store.values[slot] = value;
    store.confidences[slot] = confidence;
    this.kept++;
    if (confidence === confidence) {
      this.scored++;
      this.expectedCorrect += confidence;
    }
  }

  /** An outcome met its prediction, in `slot`. */
  join(slot: number, actual: string | undefined, value: number, now: number): void {
    const tracker = this._tracker;
    const store = tracker.store;
    const histograms = tracker.registry.histograms();
    histograms?.labelDelay.record(Math.max(0, (now - store.times[slot]!) / 1000), this.attributes);
    if (!tracker.classification) {
      const error = store.values[slot]! - value;
      this.observed++;
      this.squaredError += error * error;
      this.signedError += error;
      histograms?.absoluteError.record(Math.abs(error), this.attributes);
      return;
    }
    const predicted = store.labels[slot]!;
    const correct = predicted === actual;
    if (correct) this.correct++;
    else this.incorrect++;
    const confidence = store.confidences[slot]!;
    if (confidence === confidence) {
      const bins = tracker.bins;
      let b = 0;
      while (b < bins.length - 1 && confidence > bins[b]!) b++;
      this.byConfidence[b * 2 + (correct ? 0 : 1)]!++;
      this.confidenceSum[b]! += confidence;
    }
    const p = this._bounded(predicted);
    const a = this._bounded(actual!);
    // `result` rides along so PromQL can pick the diagonal (it cannot compare
    // two labels); past the cap (_OTHER, _OTHER) may be either.
    const key = `${p}\u0000${a}\u0000${correct ? 1 : 0}`;
    let tally = this._confusion.get(key);
    if (tally === undefined) {
      tally = { attributes: { ...this.attributes, [ATTR_PREDICTED]: p, [ATTR_ACTUAL]: a, [ATTR_RESULT]: correct ? OUTCOME_RESULTS.correct : OUTCOME_RESULTS.incorrect }, count: 0 };
      this._confusion.set(key, tally);
    }
    tally.count++;
  }

  /** The class name, or `_OTHER` past the cap. */
  private _bounded(name: string): string {
    const classes = this._classes;
    if (classes.has(name)) return name;
    if (classes.size < this._tracker.maxClasses) {
      classes.add(name);
      return name;
    }
    this.event(OUTCOME_EVENTS.classOverflow);
    return OVERFLOW_VALUE;
  }

  collect(result: BatchObservableResult, instruments: QualityInstruments): void {
    const sets = this._attributeSets;
    result.observe(instruments.kept, this.kept, this.attributes);
    for (const tally of this.events.values()) result.observe(instruments.events, tally.count, tally.attributes);
    if (this._tracker.classification) {
      result.observe(instruments.scored, this.scored, this.attributes);
      result.observe(instruments.expectedCorrect, this.expectedCorrect, this.attributes);
      result.observe(instruments.outcomes, this.correct, sets.outcomes[0]);
      result.observe(instruments.outcomes, this.incorrect, sets.outcomes[1]);
      for (let b = 0; b < sets.confidence.length; b++) {
        result.observe(instruments.byConfidence, this.byConfidence[b * 2]!, sets.byConfidence[b]![0]);
        result.observe(instruments.byConfidence, this.byConfidence[b * 2 + 1]!, sets.byConfidence[b]![1]);
        result.observe(instruments.outcomeConfidence, this.confidenceSum[b]!, sets.confidence[b]);
      }
      for (const tally of this._confusion.values()) result.observe(instruments.confusion, tally.count, tally.attributes);
    } else {
      result.observe(instruments.outcomes, this.observed, sets.outcomes[2]);
      result.observe(instruments.squaredError, this.squaredError, this.attributes);
      result.observe(instruments.signedError, this.signedError, this.attributes);
    }
  }
}

/** Row i's confidence among n: a number, a row's vector maximum, or NaN when there is none. */
function rowConfidence(confidence: unknown, i: number, n: number): number {
  if (confidence === undefined || confidence === null) return Number.NaN;
  if (typeof confidence === 'number') return n === 1 ? probability(confidence) : Number.NaN;
  if (typeof confidence !== 'object') return Number.NaN;
  const list = confidence as ArrayLike<unknown>;
  const length = list.length;
  if (typeof length !== 'number' || length === 0) return Number.NaN;
  if (n === 1 && typeof list[0] === 'number') return length === 1 ? probability(list[0]) : maxOf(list, 0, length);
  if (length === n) {
    const row = list[i];
    if (typeof row === 'number') return probability(row);
    if (row !== null && typeof row === 'object' && typeof (row as ArrayLike<unknown>).length === 'number') return maxOf(row as ArrayLike<unknown>, 0, (row as ArrayLike<unknown>).length);
    return Number.NaN;
  }
  // A flat rows x classes vector (an ONNX probability tensor's data).
  if (length % n === 0 && typeof list[0] === 'number') {
    const width = length / n;
    return maxOf(list, i * width, width);
  }
  return Number.NaN;
}

function maxOf(values: ArrayLike<unknown>, from: number, count: number): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let k = from; k < from + count; k++) {
    const v = values[k];
    if (typeof v !== 'number' || v !== v) return Number.NaN;
    if (v > best) best = v;
  }
  return probability(best);
}

function probability(value: unknown): number {
  return typeof value === 'number' && value >= 0 && value <= 1 ? value : Number.NaN;
}
