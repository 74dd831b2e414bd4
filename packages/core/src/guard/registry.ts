import type { Attributes } from '@opentelemetry/api';
import { ATTR_ATTRIBUTE, ATTR_METRIC, ATTR_REASON } from '../catalog.js';
import { warnOnce } from '../diagnostics.js';
import { guardConfig } from './config.js';
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

const rejections = new Map<string, RejectionCount>();
/** Label sets one metric holds: regular ones, models' overflow series, and the metric-wide overflow series. */
interface SeriesCounts {
  admitted: number;
  modelOverflows: number;
  overflow: boolean;
}
/** metric -> its label sets. */
const seriesCounts = new Map<string, SeriesCounts>();
/** Places of the series cap kept for models' own overflow series (so overflow keeps the model name). */
const MODEL_OVERFLOW_RESERVE = 10;

/** Every rejection count, for export. @internal */
export function rejectionCounts(): IterableIterator<RejectionCount> {
  return rejections.values();
}

/** Label sets per guarded metric, for `inferometer_series`. @internal */
export function* seriesPerMetric(): Generator<[string, number]> {
  for (const [metric, counts] of seriesCounts) yield [metric, counts.admitted + counts.modelOverflows + (counts.overflow ? 1 : 0)];
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
 * Counts one rejection and says so once per (metric, attribute, reason),
 * never once per call.
 *
 * @internal
 */
export function reject(metric: string, rawAttribute: string, reason: string): void {
  // The key itself may come from traffic (attributesFrom's record): it is a
  // label value here, so it is bounded like one.
  const attribute = rawAttribute.length > MAX_KEY_LENGTH ? TOO_LONG_MARKER : rawAttribute;
  const id = `${metric}\u0000${attribute}\u0000${reason}`;
  let entry = rejections.get(id);
  if (entry === undefined) {
    const overflow = rejections.size >= MAX_REJECTION_SERIES;
    const key = overflow ? `${metric}\u0000${OVERFLOW_VALUE}\u0000${reason}` : id;
    entry = rejections.get(key);
    if (entry === undefined) {
      entry = { attributes: { [ATTR_METRIC]: metric, [ATTR_ATTRIBUTE]: overflow ? OVERFLOW_VALUE : attribute, [ATTR_REASON]: reason }, count: 0 };
      rejections.set(key, entry);
    }
    warnOnce(
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
 *
 * @internal
 */
export function admitSeries(metric: string, kind: 'regular' | 'model' = 'regular'): boolean {
  let counts = seriesCounts.get(metric);
  if (counts === undefined) seriesCounts.set(metric, (counts = { admitted: 0, modelOverflows: 0, overflow: false }));
  const cap = guardConfig().maxSeriesPerMetric;
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

/** Notes that `metric`'s overflow series exists. @internal */
export function noteOverflowSeries(metric: string): void {
  const counts = seriesCounts.get(metric);
  if (counts !== undefined) counts.overflow = true;
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

  constructor(
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
      reject(this.metric, this.key, REJECTION_REASONS.invalidType);
      return undefined;
    }
    if (this._seen.has(value)) return value;
    const config = guardConfig();
    if (this._checkShape) {
      // Identifier first (the more useful reason), unless the value is so
      // long that running the patterns over it is itself a cost.
      const tooLong = value.length > config.maxValueLength;
      if (!(tooLong && value.length > 1024) && looksLikeIdentifier(value)) {
        reject(this.metric, this.key, REJECTION_REASONS.identifier);
        return IDENTIFIER_MARKER;
      }
      if (tooLong) {
        reject(this.metric, this.key, REJECTION_REASONS.tooLong);
        return TOO_LONG_MARKER;
      }
    }
    const cap = this._cap ?? config.maxValuesPerKey[this.key] ?? config.maxValuesPerAttribute;
    if (this._seen.size >= cap) {
      reject(this.metric, this.key, REJECTION_REASONS.valueOverflow);
      return OVERFLOW_VALUE;
    }
    this._seen.add(value);
    return value;
  }
}

/** Clears every count (tests). @internal */
export function resetGuardState(): void {
  rejections.clear();
  seriesCounts.clear();
}
