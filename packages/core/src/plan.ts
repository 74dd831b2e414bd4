import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_REASON,
  ATTR_STATUS,
  DROP_REASONS,
} from './catalog.js';
import { reportInternalError, warnOnce } from './diagnostics.js';
import type {
  AttributeSource,
  AttributeValue,
  BoundInferenceObserver,
  ConfidenceExtractor,
  InferenceObserver,
  InstrumentOptions,
} from './options.js';
import type { BucketOverrides, PredictionSeries, Recorder } from './recorder/recorder.js';
import { encodeVersion } from './version-encoding.js';

/** The version used when none is given, or when the version function fails. */
export const UNKNOWN_VERSION = 'unknown';
/**
 * Most distinct (version, attribute values) combinations one instrumented
 * function keeps as series of its own; later ones share an overflow series
 * and are counted as `series_overflow`. Bounded memory whatever the traffic.
 */
export const MAX_DYNAMIC_SERIES = 256;
/** Value given to every dynamic attribute of the overflow series. */
export const OVERFLOW_VALUE = '_OTHER';

const RESERVED_KEYS: ReadonlySet<string> = new Set([
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_STATUS,
  ATTR_ERROR_TYPE,
  ATTR_REASON,
  'le',
  'quantile',
]);
const LABEL_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const BUCKET_NAMES: readonly (keyof BucketOverrides)[] = [
  'latency',
  'confidence',
  'batchSize',
  'timeToFirstItem',
  'streamItems',
];

/**
 * Everything the wrappers need, decided once at decoration time: which series
 * resolution strategy applies, which extractors run. The per-call path only
 * follows these choices.
 *
 * @internal
 */
export interface Plan {
  readonly model: string;
  readonly recorder: Recorder;
  /** The series (and bound observer) for one call: fixed, or looked up from the call's dynamic values. */
  readonly resolve: (self: unknown, args: unknown[]) => Resolved;
  readonly confidence: ConfidenceExtractor | undefined;
  /** The batch-size extractor, taking the call's arguments as one array. */
  readonly batchSize: ((args: unknown[]) => unknown) | undefined;
  readonly streaming: 'auto' | boolean;
}

/** What a call records into, resolved once per series and reused. @internal */
export interface Resolved {
  readonly series: PredictionSeries;
  readonly observer: BoundInferenceObserver | undefined;
}

/** Validates options (throwing with the option's name) and builds the plan. @internal */
export function compilePlan(options: InstrumentOptions, recorder: Recorder, where: string): Plan {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${where}: options must be an object such as { model: 'iris', version: '1.0.0' }; got ${describe(options)}`);
  }
  const model = options.model;
  if (typeof model !== 'string' || model.length === 0 || model.length > 128) {
    throw new TypeError(`${where}: option "model" must be a string of 1 to 128 characters naming the model, e.g. { model: 'iris' }; got ${describe(model)}`);
  }
  const version = options.version ?? UNKNOWN_VERSION;
  if (typeof version !== 'function' && (typeof version !== 'string' || version.length === 0 || version.length > 128)) {
    throw new TypeError(`${where}: option "version" must be a string of 1 to 128 characters or a function of the instance returning one, e.g. { version: '1.2.0' } or { version: (self) => self.version }; got ${describe(version)}`);
  }
  checkFunction(where, 'versionNumber', options.versionNumber);
  checkFunction(where, 'confidence', options.confidence);
  checkFunction(where, 'batchSize', options.batchSize);
  const drift = options.drift;
  if (drift !== undefined && (drift === null || typeof (drift as Partial<InferenceObserver>).bind !== 'function')) {
    throw new TypeError(`${where}: option "drift" must be an observer with a bind() method, such as driftMonitor({ reference, features }) from @inferometer/drift; got ${describe(drift)}`);
  }
  const streaming = options.streaming ?? 'auto';
  if (streaming !== 'auto' && streaming !== true && streaming !== false) {
    throw new TypeError(`${where}: option "streaming" must be 'auto', true or false; got ${describe(streaming)}`);
  }
  const buckets = checkBuckets(where, options.buckets);
  const { fixed, dynamic } = splitAttributes(where, options.attributes);
  const versionNumber = options.versionNumber ?? encodeVersion;
  const numberOf = (v: string): number | undefined => {
    try {
      const n = versionNumber(v);
      return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
    } catch (err) {
      reportInternalError('versionNumber', err);
      return undefined;
    }
  };
  const seriesFor = (v: string, attributes: Attributes): Resolved => ({
    series: recorder.series({ model, version: v, attributes, buckets, versionNumber: numberOf(v) }),
    observer: bindObserver(drift, model, v),
  });

  let resolve: Plan['resolve'];
  if (typeof version === 'string' && dynamic.length === 0) {
    // The common case: one series for the function's whole life.
    const only = seriesFor(version, fixed);
    resolve = () => only;
  } else {
    resolve = dynamicSeries(model, recorder, version, fixed, dynamic, seriesFor);
  }
  return {
    model,
    recorder,
    resolve,
    confidence: options.confidence,
    batchSize: batchSizeReader(options.batchSize as ((...args: unknown[]) => unknown) | undefined),
    streaming,
  };
}

/**
 * Most batch-size extractors read the first argument (`(rows) => rows.length`):
 * call those with it directly and spare every call a spread of the arguments.
 */
function batchSizeReader(extract: ((...args: unknown[]) => unknown) | undefined): Plan['batchSize'] {
  if (extract === undefined) return undefined;
  // length 1 only: a rest parameter (`(...rows) => ...`) has length 0 and needs every argument.
  if (extract.length === 1) return (args) => extract(args[0]);
  return (args) => extract(...args);
}

type DynamicAttribute = readonly [key: string, read: (self: unknown, args: unknown[]) => AttributeValue | undefined];

/** Series looked up per call from the version function and the dynamic attributes, with a bounded cache. */
function dynamicSeries(
  model: string,
  recorder: Recorder,
  version: string | ((self: unknown) => string),
  fixed: Attributes,
  dynamic: readonly DynamicAttribute[],
  seriesFor: (version: string, attributes: Attributes) => Resolved,
): Plan['resolve'] {
  // A trie keyed by the raw values (version, then each dynamic attribute):
  // no key string is built per call, and none is kept per series.
  const root = new Map<string, Trie>();
  let size = 0;
  let overflow: Resolved | undefined;
  const readVersion =
    typeof version === 'string'
      ? () => version
      : (self: unknown): string => {
          try {
            const v = version(self);
            if (typeof v === 'string' && v.length > 0 && v.length <= 128) return v;
          } catch (err) {
            reportInternalError('version', err);
          }
          recorder.dropped(model, DROP_REASONS.version);
          return UNKNOWN_VERSION;
        };
  const readValue = (index: number, self: unknown, args: unknown[]): string | undefined => {
    const [name, read] = dynamic[index]!;
    try {
      const value = read(self, args);
      if (value === undefined) return undefined;
      return typeof value === 'string' ? value : String(value);
    } catch (err) {
      reportInternalError(`attribute ${name}`, err);
      recorder.dropped(model, DROP_REASONS.attribute);
      return undefined;
    }
  };
  return (self, args) => {
    const v = readVersion(self);
    let node: Trie | undefined = root.get(v);
    const values: (string | undefined)[] = [];
    for (let i = 0; i < dynamic.length; i++) {
      const value = readValue(i, self, args);
      values.push(value);
      // Keep reading after a miss: a new series needs every value.
      if (node !== undefined) node = (node as Map<string, Trie>).get(value ?? ABSENT);
    }
    if (node !== undefined) return node as Resolved;
    if (size >= MAX_DYNAMIC_SERIES) {
      warnOnce(
        `overflow:${model}`,
        `@inferometer/core: model "${model}" produced more than ${MAX_DYNAMIC_SERIES} version/attribute combinations; later ones are recorded under "${OVERFLOW_VALUE}". Keep attribute values bounded.`,
      );
      recorder.dropped(model, DROP_REASONS.seriesOverflow);
      overflow ??= seriesFor(OVERFLOW_VALUE, overflowAttributes(fixed, dynamic));
      return overflow;
    }
    // A new combination: its attributes are built once, always in the same
    // key order (objects built the same way share one hidden class).
    const attributes: Attributes = {};
    for (const name in fixed) attributes[name] = fixed[name];
    dynamic.forEach(([name], i) => {
      const value = values[i];
      if (value !== undefined) attributes[name] = value;
    });
    const resolved = seriesFor(v, attributes);
    size++;
    let level = root;
    let key = v;
    for (let i = 0; i < dynamic.length; i++) {
      let next = level.get(key) as Map<string, Trie> | undefined;
      if (next === undefined) level.set(key, (next = new Map()));
      level = next;
      key = values[i] ?? ABSENT;
    }
    level.set(key, resolved);
    return resolved;
  };
}

/** A trie level: more levels, or the series at the end. */
type Trie = Map<string, Trie> | Resolved;
/** Trie key of an attribute whose function returned undefined (the attribute is left off). */
const ABSENT = '\u0000absent';

/** Binds the observer to one series; an observer that fails to bind is left out, not the series. */
function bindObserver(observer: InferenceObserver | undefined, model: string, version: string): BoundInferenceObserver | undefined {
  if (observer === undefined) return undefined;
  try {
    return observer.bind({ model, version });
  } catch (err) {
    reportInternalError('drift observer bind', err);
    return undefined;
  }
}

function overflowAttributes(fixed: Attributes, dynamic: readonly DynamicAttribute[]): Attributes {
  const attributes: Attributes = { ...fixed };
  for (const [name] of dynamic) attributes[name] = OVERFLOW_VALUE;
  return attributes;
}

function splitAttributes(
  where: string,
  attributes: Record<string, AttributeSource> | undefined,
): { fixed: Attributes; dynamic: DynamicAttribute[] } {
  const fixed: Attributes = {};
  const dynamic: DynamicAttribute[] = [];
  if (attributes === undefined) return { fixed, dynamic };
  if (attributes === null || typeof attributes !== 'object') {
    throw new TypeError(`${where}: option "attributes" must be an object of attribute names to constants or functions, e.g. { region: 'eu' }; got ${describe(attributes)}`);
  }
  for (const [key, source] of Object.entries(attributes)) {
    if (!LABEL_KEY.test(key) || key.startsWith('__')) {
      throw new TypeError(`${where}: option "attributes" has key "${key}", which is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`);
    }
    if (RESERVED_KEYS.has(key)) {
      throw new TypeError(`${where}: option "attributes" has key "${key}", which the metric catalog already uses; reserved keys are ${[...RESERVED_KEYS].join(', ')}`);
    }
    if (typeof source === 'function') {
      dynamic.push([key, source as DynamicAttribute[1]]);
    } else if (typeof source === 'string' || typeof source === 'number' || typeof source === 'boolean') {
      fixed[key] = typeof source === 'string' ? source : String(source);
    } else {
      throw new TypeError(`${where}: option "attributes.${key}" must be a string, number, boolean or a function (self, args) => value; got ${describe(source)}`);
    }
  }
  return { fixed, dynamic };
}

function checkBuckets(where: string, buckets: BucketOverrides | undefined): BucketOverrides | undefined {
  if (buckets === undefined) return undefined;
  if (buckets === null || typeof buckets !== 'object') {
    throw new TypeError(`${where}: option "buckets" must be an object with any of ${BUCKET_NAMES.join(', ')}; got ${describe(buckets)}`);
  }
  for (const [name, list] of Object.entries(buckets)) {
    if (!(BUCKET_NAMES as readonly string[]).includes(name)) {
      throw new TypeError(`${where}: option "buckets.${name}" is not a histogram of the catalog; accepted: ${BUCKET_NAMES.join(', ')}`);
    }
    if (list === undefined) continue;
    const ok =
      Array.isArray(list) &&
      list.length > 0 &&
      list.every((b, i) => typeof b === 'number' && Number.isFinite(b) && (i === 0 || b > (list[i - 1] as number)));
    if (!ok) {
      throw new TypeError(`${where}: option "buckets.${name}" must be a non-empty array of finite numbers in strictly increasing order; got ${describe(list)}`);
    }
  }
  return buckets;
}

function checkFunction(where: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${where}: option "${name}" must be a function; got ${describe(value)}`);
  }
}

/** A short, safe rendering of a bad value for an error message. */
function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array [${value.slice(0, 5).map(describe).join(', ')}${value.length > 5 ? ', ...' : ''}]`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}
