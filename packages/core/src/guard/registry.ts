import type { Attributes } from '@opentelemetry/api';
import { ATTR_ATTRIBUTE, ATTR_METRIC, ATTR_MODEL_NAME, ATTR_REASON, METRIC_PREDICTIONS } from '../catalog.js';
import type { OnceReporter } from '../diagnostics.js';
import { InferometerConfigError } from '../errors.js';
import { GUARD_DEFAULTS, type GuardConfig } from './defaults.js';
import { IDENTIFIER_MARKER, looksLikeIdentifier, OVERFLOW_VALUE, REJECTION_REASONS, TOO_LONG_MARKER } from './patterns.js';

/** One (metric, attribute, reason) rejection count, for `inferometer_attribute_rejections_total`. @internal */
export interface RejectionCount {
  readonly attributes: Attributes;
  count: number;
}

/**
 * Most distinct (metric, attribute, reason) triples counted apart; past it,
 * rejections are counted under attribute `_OTHER`, so the self-metric that
 * reports an attack cannot itself be attacked.
 */
const MAX_REJECTION_SERIES = 1000;
/** Longest attribute name reported as itself in the rejections metric. */
const MAX_KEY_LENGTH = 128;

/** Label sets one metric holds: regular ones, models' overflow series, and the metric-wide overflow series. */
interface SeriesCounts {
  admitted: number;
  modelOverflows: number;
  overflow: boolean;
}
/** Places of the series cap kept for models' own overflow series (so overflow keeps the model name). */
const MODEL_OVERFLOW_RESERVE = 10;
/** Declarations kept for start-time re-checks; past this many, later ones are checked only when declared. */
const MAX_DECLARATIONS = 10_000;
/** The per-prediction metrics' family: the metric their rejections are counted under. */
const FAMILY = METRIC_PREDICTIONS.prometheusName;

/** Keys declared somewhere, checked again when patterns are added at start. */
interface Declaration {
  readonly keys: readonly string[];
  readonly metric: string;
  readonly where: string;
  readonly optIn: ReadonlySet<string>;
}

/** The value guards of one admitted model, shared by every function of the model. */
interface ModelGuards {
  readonly byKey: Map<string, ValueGuard>;
}

const ADVICE: Record<string, string> = {
  [REJECTION_REASONS.undeclared]: 'it is not declared for this metric, so it was dropped from the record (the measurement is kept). Declare it if its values are bounded',
  [REJECTION_REASONS.identifier]: `its value looks like an identifier, so it was replaced by "${IDENTIFIER_MARKER}". Put identifiers on traces or logs, not on metrics`,
  [REJECTION_REASONS.tooLong]: `its value is longer than the limit, so it was replaced by "${TOO_LONG_MARKER}"`,
  [REJECTION_REASONS.valueOverflow]: `it passed its cap on distinct values, so new values are recorded as "${OVERFLOW_VALUE}". Bucket it into fewer values or raise maxValuesPerKey`,
  [REJECTION_REASONS.seriesOverflow]: `the metric passed its series cap, so new label sets are recorded in one overflow series ("${OVERFLOW_VALUE}"). Raise maxSeriesPerMetric only if the series are really bounded`,
  [REJECTION_REASONS.invalidType]: 'its value is not a string, number or boolean, so it was dropped',
};

/**
 * The cardinality guard's state for one runtime: the limits in force, the
 * declared keys, the rejection and series counts, and the per-model value
 * guards (bounded by `maxModels`).
 *
 * @internal
 */
export class GuardRegistry {
  config: GuardConfig = GUARD_DEFAULTS;
  private readonly _listeners = new Set<(config: GuardConfig) => void>();
  private readonly _declarations: Declaration[] = [];
  private readonly _rejections = new Map<string, RejectionCount>();
  /** metric -> its label sets. */
  private readonly _seriesCounts = new Map<string, SeriesCounts>();
  /** Admitted model names and their value guards; at most `maxModels`. */
  private readonly _models = new Map<string, ModelGuards>();
  /**
   * Overrides of what `inferometer_series` reports for one metric (the
   * recorder counts ml_predictions_total's label sets itself: one family
   * member holds a success and an error label set).
   */
  private readonly _seriesReaders = new Map<string, () => number>();

  constructor(private readonly _diag: OnceReporter) {}

  /** Puts `next` in force, after every listener accepted it (else the previous limits stay and the error is thrown). */
  configure(next: GuardConfig): void {
    const previous = this.config;
    this.config = next;
    try {
      for (const declaration of this._declarations) this._check(declaration, next);
      for (const listener of this._listeners) listener(next);
    } catch (err) {
      this.config = previous;
      throw err;
    }
  }

  /** Runs `listener` whenever the limits change. */
  onConfig(listener: (config: GuardConfig) => void): void {
    this._listeners.add(listener);
  }

  /**
   * Refuses attribute keys that are unbounded by nature (user ids, request
   * ids, emails, URLs, timestamps, free text), at configuration: the one
   * moment a mistake costs nothing. `optIn` names keys the user knows to be
   * bounded here.
   */
  checkDeclaredKeys(keys: readonly string[], metric: string, where: string, optIn: readonly string[] = []): void {
    const declaration: Declaration = { keys, metric, where, optIn: new Set(optIn) };
    this._check(declaration, this.config);
    if (this._declarations.length < MAX_DECLARATIONS) this._declarations.push(declaration);
  }

  private _check(declaration: Declaration, config: GuardConfig): void {
    for (const key of declaration.keys) {
      if (declaration.optIn.has(key)) continue;
      const pattern = config.unboundedKeyPatterns.find((p) => p.test(key));
      if (pattern !== undefined) {
        throw new InferometerConfigError(
          'unboundedKeyPatterns',
          `${declaration.where}: attribute "${key}" on ${declaration.metric} is unbounded by nature (it matches ${String(pattern)}): every distinct value would become a series. ` +
            `Put it on a trace or a log instead, or bucket it into a bounded attribute (a tier, a region, a range); ` +
            `if its values really are bounded here, opt in with allowUnboundedKeys: ['${key}'].`,
          [`a key no pattern of unboundedKeyPatterns matches`, `a key listed in allowUnboundedKeys`],
        );
      }
    }
  }

  /** Every rejection count, for export. */
  rejectionCounts(): IterableIterator<RejectionCount> {
    return this._rejections.values();
  }

  /** Label sets per guarded metric, for `inferometer_series`. */
  *seriesPerMetric(): Generator<[string, number]> {
    for (const [metric, counts] of this._seriesCounts) {
      const read = this._seriesReaders.get(metric);
      yield [metric, read !== undefined ? read() : counts.admitted + counts.modelOverflows + (counts.overflow ? 1 : 0)];
    }
  }

  /** Reports `metric`'s label sets with `read` instead of the admitted count. */
  countSeriesWith(metric: string, read: () => number): void {
    this._seriesReaders.set(metric, read);
  }

  /**
   * Counts one rejection and says so once per (metric, attribute, reason),
   * never once per call.
   */
  reject(metric: string, rawAttribute: string, reason: string): void {
    // The key itself may come from traffic (attributesFrom's record): it is a
    // label value here, so it is bounded like one.
    const attribute = rawAttribute.length > MAX_KEY_LENGTH ? TOO_LONG_MARKER : rawAttribute;
    const id = `${metric}\u0000${attribute}\u0000${reason}`;
    let entry = this._rejections.get(id);
    if (entry === undefined) {
      const overflow = this._rejections.size >= MAX_REJECTION_SERIES;
      const key = overflow ? `${metric}\u0000${OVERFLOW_VALUE}\u0000${reason}` : id;
      entry = this._rejections.get(key);
      if (entry === undefined) {
        entry = { attributes: { [ATTR_METRIC]: metric, [ATTR_ATTRIBUTE]: overflow ? OVERFLOW_VALUE : attribute, [ATTR_REASON]: reason }, count: 0 };
        this._rejections.set(key, entry);
      }
      this._diag.warn(
        `guard:${id}`,
        `@inferometer/core: attribute "${attribute}" on ${metric} was refused (${reason}): ${ADVICE[reason] ?? reason}. Counted in inferometer_attribute_rejections_total.`,
      );
    }
    entry.count++;
  }

  /**
   * Admits a new label set for `metric` under its series cap. The cap keeps
   * one place for the metric-wide overflow series and, for `model` overflow
   * series (a model's own, keeping its name), up to ten places. False means:
   * use the next overflow series down.
   */
  admitSeries(metric: string, kind: 'regular' | 'model' = 'regular'): boolean {
    let counts = this._seriesCounts.get(metric);
    if (counts === undefined) this._seriesCounts.set(metric, (counts = { admitted: 0, modelOverflows: 0, overflow: false }));
    const cap = this.config.maxSeriesPerMetric;
    const reserve = Math.min(MODEL_OVERFLOW_RESERVE, Math.floor((cap - 1) / 10));
    if (kind === 'model') {
      if (counts.modelOverflows >= reserve) return false;
      counts.modelOverflows++;
      return true;
    }
    if (counts.admitted < cap - 1 - reserve) {
      counts.admitted++;
      return true;
    }
    return false;
  }

  /** Gives back a regular label set's place under `metric`'s cap (a released model version). */
  releaseSeries(metric: string, kind: 'regular' | 'model' = 'regular'): void {
    const counts = this._seriesCounts.get(metric);
    if (counts === undefined) return;
    if (kind === 'model') counts.modelOverflows = Math.max(0, counts.modelOverflows - 1);
    else counts.admitted = Math.max(0, counts.admitted - 1);
  }

  /** Notes that `metric`'s overflow series exists. */
  noteOverflowSeries(metric: string): void {
    const counts = this._seriesCounts.get(metric);
    if (counts !== undefined) counts.overflow = true;
  }

  /**
   * The model name a new function records under: itself while fewer than
   * `maxModels` models are known, else `_OTHER` (counted as a rejection of
   * `model_name`). Per-model state (value guards, model gauges) is then
   * bounded by `maxModels` however many models a process creates.
   */
  admitModel(model: string, count = true): string {
    if (this._models.has(model)) return model;
    if (this._models.size >= this.config.maxModels) {
      // Counted once per refused series (by the recorder), not again per value guard.
      if (count) this.reject(FAMILY, ATTR_MODEL_NAME, REJECTION_REASONS.seriesOverflow);
      return OVERFLOW_VALUE;
    }
    this._models.set(model, { byKey: new Map() });
    return model;
  }

  /** Models admitted so far. */
  get models(): number {
    return this._models.size;
  }

  /**
   * The value guard of one (model, attribute key), shared by every function
   * of the model so the cap on distinct values holds for the model whichever
   * function records. The model is admitted first (see {@link admitModel}).
   */
  valueGuard(model: string, key: string, checkShape: boolean): ValueGuard {
    let guards = this._models.get(model);
    if (guards === undefined) {
      const admitted = this.admitModel(model, false);
      guards = this._models.get(admitted);
      // `_OTHER` itself: one more entry past the bound, shared by every model past it.
      if (guards === undefined) this._models.set(admitted, (guards = { byKey: new Map() }));
    }
    let guard = guards.byKey.get(key);
    if (guard === undefined) guards.byKey.set(key, (guard = new ValueGuard(this, FAMILY, key, checkShape)));
    return guard;
  }

  /** The model's value guard for `key`, if it has one. */
  existingGuard(model: string, key: string): ValueGuard | undefined {
    return this._models.get(model)?.byKey.get(key);
  }
}

/**
 * Guards one attribute's values: bounded values pass through; identifiers,
 * over-long values and values past the cap on distinct values are replaced
 * by a fixed marker and counted. Values already admitted cost one Set lookup.
 * Memory is bounded by the cap: replaced values are never stored.
 *
 * @internal
 */
export class ValueGuard {
  private readonly _seen = new Set<string>();
  /** Called when the cap is reached, before refusing: gives back the places of released values. */
  onFull: (() => void) | undefined;

  constructor(
    private readonly _registry: GuardRegistry,
    readonly metric: string,
    readonly key: string,
    /** Identifier and length checks (off for model versions: a git sha is a fine version). */
    private readonly _checkShape = true,
    private readonly _cap?: number,
  ) {}

  /** The value to record, or undefined to leave the attribute off. */
  admit(raw: unknown): string | undefined {
    let value: string;
    if (typeof raw === 'string') value = raw;
    else if (typeof raw === 'number' || typeof raw === 'boolean') value = String(raw);
    else if (raw === undefined || raw === null) return undefined;
    else {
      this._registry.reject(this.metric, this.key, REJECTION_REASONS.invalidType);
      return undefined;
    }
    if (this._seen.has(value)) return value;
    const config = this._registry.config;
    if (this._checkShape) {
      // Identifier first (the more useful reason), unless the value is so
      // long that running the patterns over it is itself a cost.
      const tooLong = value.length > config.maxValueLength;
      if (!(tooLong && value.length > 1024) && looksLikeIdentifier(value)) {
        this._registry.reject(this.metric, this.key, REJECTION_REASONS.identifier);
        return IDENTIFIER_MARKER;
      }
      if (tooLong) {
        this._registry.reject(this.metric, this.key, REJECTION_REASONS.tooLong);
        return TOO_LONG_MARKER;
      }
    }
    const cap = this._cap ?? config.maxValuesPerKey[this.key] ?? config.maxValuesPerAttribute;
    if (this._seen.size >= cap && this.onFull !== undefined) this.onFull();
    if (this._seen.size >= cap) {
      this._registry.reject(this.metric, this.key, REJECTION_REASONS.valueOverflow);
      return OVERFLOW_VALUE;
    }
    this._seen.add(value);
    return value;
  }

  /** Gives back `value`'s place under the cap (a released model version). */
  forget(value: string): void {
    this._seen.delete(value);
  }

  /** Distinct values held. */
  get size(): number {
    return this._seen.size;
  }
}
