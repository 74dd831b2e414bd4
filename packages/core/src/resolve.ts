import type { Attributes } from '@opentelemetry/api';
import { ATTR_MODEL_VERSION, DROP_REASONS, METRIC_PREDICTIONS } from './catalog.js';
import { reportInternalError } from './diagnostics.js';
import type { ValueGuard } from './guard/registry.js';
import { runtime } from './runtime.js';
import { REJECTION_REASONS } from './guard/patterns.js';
import type { AttributeValue } from './options.js';
import type { Resolved } from './plan.js';
import type { Recorder } from './recorder/recorder.js';

/** The version used when none is given, or when the version function fails. */
export const UNKNOWN_VERSION = 'unknown';

/** The metric under which per-prediction attribute rejections are counted. */
const FAMILY = METRIC_PREDICTIONS.prometheusName;

/** One dynamic attribute: read by its own function, or taken from `attributesFrom`'s record. */
export interface Slot {
  readonly key: string;
  readonly read: ((self: unknown, args: unknown[]) => AttributeValue | undefined) | undefined;
}

/** What {@link dynamicResolver} needs from the plan. */
export interface DynamicOptions {
  readonly model: string;
  readonly recorder: Recorder;
  readonly version: string | ((self: unknown) => string);
  readonly fixed: Attributes;
  readonly slots: readonly Slot[];
  readonly attributesFrom: ((self: unknown, args: unknown[]) => Record<string, unknown> | undefined) | undefined;
  readonly seriesFor: (version: string, attributes: Attributes) => Resolved;
}


/**
 * Resolves the series of a call whose version or attributes are read per
 * call. Each raw value first passes the cardinality guard (cap on distinct
 * values, identifier and length checks), then a trie keyed by the guarded
 * values finds the series: no key string is built per call and none is kept
 * per series. The trie is bounded because the guarded values are; series
 * past the metric's series cap are not cached, so attacks cost CPU per call,
 * never memory.
 *
 * @internal
 */
export function dynamicResolver(options: DynamicOptions): (self: unknown, args: unknown[]) => Resolved {
  const { model, recorder, version, fixed, slots, attributesFrom, seriesFor } = options;
  const declared = new Set(slots.map((slot) => slot.key));
  // Shared by every function of one model (held by the runtime's guard,
  // bounded by maxModels), so the cap on distinct values holds per model.
  const guard = (recorder.runtime ?? runtime()).guard;
  const slotGuards: ValueGuard[] = slots.map((slot) => guard.valueGuard(model, slot.key, true));
  const versionGuard = guard.valueGuard(model, ATTR_MODEL_VERSION, false);
  const root = new Map<string, Trie>();

  const readVersion =
    typeof version === 'string'
      ? () => version
      : (self: unknown): string => {
          try {
            const v = version(self);
            if (typeof v === 'string' && v.length > 0 && v.length <= 128) return versionGuard.admit(v) ?? UNKNOWN_VERSION;
          } catch (err) {
            reportInternalError('version', err);
          }
          recorder.dropped(model, DROP_REASONS.version);
          return UNKNOWN_VERSION;
        };

  const readRecord = (self: unknown, args: unknown[]): Record<string, unknown> | undefined => {
    if (attributesFrom === undefined) return undefined;
    let record: Record<string, unknown> | undefined;
    try {
      record = attributesFrom(self, args);
    } catch (err) {
      reportInternalError('attributesFrom', err);
      recorder.dropped(model, DROP_REASONS.attribute);
      return undefined;
    }
    if (record === null || typeof record !== 'object') return undefined;
    try {
      // Keys not declared in attributeKeys are dropped (the call is still counted).
      for (const key in record) if (!declared.has(key)) guard.reject(FAMILY, key, REJECTION_REASONS.undeclared);
    } catch (err) {
      // A Proxy whose traps throw, a revoked Proxy: the record is unusable.
      reportInternalError('attributesFrom', err);
      recorder.dropped(model, DROP_REASONS.attribute);
      return undefined;
    }
    return record;
  };

  const readSlot = (i: number, self: unknown, args: unknown[], record: Record<string, unknown> | undefined): string | undefined => {
    const slot = slots[i]!;
    try {
      // A throwing getter on the record, a hostile value the guard cannot read.
      return slotGuards[i]!.admit(slot.read === undefined ? record?.[slot.key] : slot.read(self, args));
    } catch (err) {
      reportInternalError(slot.read === undefined ? 'attributesFrom' : 'attribute function', err);
      recorder.dropped(model, DROP_REASONS.attribute);
      return undefined;
    }
  };

  const resolve = (self: unknown, args: unknown[]): Resolved => {
    const v = readVersion(self);
    const record = readRecord(self, args);
    let node: Trie | undefined = root.get(v);
    const values: (string | undefined)[] = [];
    for (let i = 0; i < slots.length; i++) {
      const value = readSlot(i, self, args, record);
      values.push(value);
      // Keep reading after a miss: a new series needs every value.
      if (node !== undefined) node = (node as Map<string, Trie>).get(value ?? ABSENT);
    }
    if (node !== undefined) return node as Resolved;
    // A new combination: its attributes are built once, always in the same
    // key order (objects built the same way share one hidden class).
    const attributes: Attributes = {};
    for (const name in fixed) attributes[name] = fixed[name];
    slots.forEach((slot, i) => {
      const value = values[i];
      if (value !== undefined) attributes[slot.key] = value;
    });
    const resolved = seriesFor(v, attributes);
    // The metric's overflow series stands for many combinations: not cached.
    if (resolved.series.overflow === true) return resolved;
    let level = root;
    let key = v;
    for (let i = 0; i < slots.length; i++) {
      let next = level.get(key) as Map<string, Trie> | undefined;
      if (next === undefined) level.set(key, (next = new Map()));
      level = next;
      key = values[i] ?? ABSENT;
    }
    level.set(key, resolved);
    return resolved;
  };

  let fallback: Resolved | undefined;
  return (self, args) => {
    try {
      return resolve(self, args);
    } catch (err) {
      // Nothing of ours may reach the caller: the call is still counted, under
      // the unknown version and the constant attributes only.
      reportInternalError('series resolution', err);
      recorder.dropped(model, DROP_REASONS.attribute);
      return (fallback ??= seriesFor(UNKNOWN_VERSION, fixed));
    }
  };
}

/** A trie level: more levels, or the series at the end. */
type Trie = Map<string, Trie> | Resolved;
/** Trie key of an attribute that is left off (its function returned undefined). */
const ABSENT = '\u0000absent';
