import type { Attributes } from '@opentelemetry/api';
import {
  DROP_REASONS,
  ATTR_ERROR_TYPE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_REASON,
  ATTR_STATUS,
  METRIC_PREDICTIONS,
  PHASES,
  type Phase,
} from './catalog.js';
import { LLM_EXTRACTORS, LLM_PROVIDERS, type LlmExtractor } from './llm/extractors.js';
import { GenerationPlan, type GenAiNaming } from './llm/generation.js';
import { reportInternalError } from './diagnostics.js';
import { errorLabel, errorType } from './error-type.js';
import { runtime } from './runtime.js';
import { dynamicResolver, UNKNOWN_VERSION, type Slot } from './resolve.js';
import { closestFirst, didYouMean, InferometerConfigError, InstrumentOptionError } from './errors.js';
import type {
  AttributeSource,
  AttributeValue,
  BoundInferenceObserver,
  ConfidenceExtractor,
  InferenceObserver,
  InstrumentOptions,
} from './options.js';
import type { BucketOverrides, HistogramKind, HistogramKinds, PredictionSeries, Recorder } from './recorder/recorder.js';
import { encodeVersion } from './version-encoding.js';


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
/** Most bucket boundaries one histogram may have (each bucket is a series in Prometheus). */
const MAX_BOUNDARIES = 256;
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
  /** The `error_type` of a failed call: the option's label, else the error's class name. */
  readonly errorType: (error: unknown, args: unknown[]) => string;
  /** Usage reading of generative calls (the `llm` option). */
  readonly generation: GenerationPlan | undefined;
  /** The `phases` option: records a successful call's phases. */
  readonly phases: ((call: PredictionSeries, result: unknown, args: unknown[]) => void) | undefined;
}

/** What a call records into, resolved once per series and reused. @internal */
export interface Resolved {
  readonly series: PredictionSeries;
  readonly observer: BoundInferenceObserver | undefined;
}

/** Validates options (throwing an {@link InstrumentOptionError} naming the option and what it accepts) and builds the plan. @internal */
export function compilePlan(options: InstrumentOptions, recorder: Recorder, where: string): Plan {
  if (options === null || typeof options !== 'object') {
    throw new InstrumentOptionError('options', `${where}: options must be an object such as { model: 'iris', version: '1.0.0' }; got ${describe(options)}`, ['an object']);
  }
  checkOptionKeys(where, options);
  const model = options.model;
  if (typeof model !== 'string' || model.length === 0 || model.length > 128) {
    throw new InstrumentOptionError('model', `${where}: option "model" must be a string of 1 to 128 characters naming the model, e.g. { model: 'iris' }; got ${describe(model)}`, ['a string of 1 to 128 characters']);
  }
  const version = options.version ?? UNKNOWN_VERSION;
  if (typeof version !== 'function' && (typeof version !== 'string' || version.length === 0 || version.length > 128)) {
    throw new InstrumentOptionError('version', `${where}: option "version" must be a string of 1 to 128 characters or a function of the instance returning one, e.g. { version: '1.2.0' } or { version: (self) => self.version }; got ${describe(version)}`, ['a string of 1 to 128 characters', 'a function']);
  }
  checkFunction(where, 'versionNumber', options.versionNumber);
  checkFunction(where, 'confidence', options.confidence);
  checkFunction(where, 'batchSize', options.batchSize);
  checkFunction(where, 'errorType', options.errorType);
  const drift = options.drift;
  if (drift !== undefined && (drift === null || typeof (drift as Partial<InferenceObserver>).bind !== 'function')) {
    throw new InstrumentOptionError('drift', `${where}: option "drift" must be an observer with a bind() method, such as driftMonitor({ reference, features }) from @inferometer/drift; got ${describe(drift)}`, ['an object with a bind() method']);
  }
  const llm = checkLlm(where, options.llm);
  const streaming = options.streaming ?? (llm !== undefined ? true : 'auto');
  if (streaming !== 'auto' && streaming !== true && streaming !== false) {
    throw new InstrumentOptionError('streaming', `${where}: option "streaming" must be 'auto', true or false; got ${describe(streaming)}`, ['auto', 'true', 'false']);
  }
  const buckets = checkBuckets(where, options.buckets);
  const histograms = checkHistograms(where, options.histograms);
  const { fixed, dynamic } = splitAttributes(where, options.attributes);
  const fromKeys = checkAttributeKeys(where, options.attributeKeys, fixed, dynamic);
  checkFunction(where, 'attributesFrom', options.attributesFrom);
  if (options.attributesFrom !== undefined && fromKeys.length === 0) {
    throw new InstrumentOptionError('attributeKeys', `${where}: option "attributesFrom" needs option "attributeKeys" to declare the keys it may return, e.g. { attributeKeys: ['tier'], attributesFrom: (self, args) => ({ tier: args[0].tier }) }`, ['an array of attribute names']);
  }
  const naming = checkNaming(where, options.genAiSemconv);
  checkFunction(where, 'arrivedAt', options.arrivedAt);
  checkFunction(where, 'phases', options.phases);
  const optIn = checkOptIn(where, options.allowUnboundedKeys);
  (recorder.runtime ?? runtime()).guard.checkDeclaredKeys([...Object.keys(fixed), ...dynamic.map(([key]) => key), ...fromKeys], `${METRIC_PREDICTIONS.prometheusName} (and the other per-prediction metrics of model "${model}")`, where, optIn);
  const versionNumber = options.versionNumber ?? encodeVersion;
  const numberOf = (v: string): number | undefined => {
    try {
      const n = versionNumber(v);
      return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
    } catch (err) {
      reportInternalError('versionNumber', err);
      recorder.dropped(model, DROP_REASONS.versionNumber);
      return undefined;
    }
  };
  const seriesFor = (v: string, attributes: Attributes): Resolved => {
    const series = recorder.series({ model, version: v, attributes, buckets, versionNumber: numberOf(v), histograms });
    const observer = bindObserver(drift, model, v, recorder);
    // Without an observer the series is its own resolution (SelfResolved).
    return observer === undefined ? series : { series, observer };
  };

  let resolve: Plan['resolve'];
  if (typeof version === 'string' && dynamic.length === 0 && fromKeys.length === 0) {
    // The common case: one series for the function's whole life, and no
    // guard on the path (constants were checked here, once).
    const only = seriesFor(version, fixed);
    resolve = () => only;
  } else {
    const slots: Slot[] = [
      ...dynamic.map(([key, read]): Slot => ({ key, read })),
      ...fromKeys.map((key): Slot => ({ key, read: undefined })),
    ];
    resolve = dynamicResolver({ model, recorder, version, fixed, slots, attributesFrom: options.attributesFrom as never, seriesFor });
  }
  if (options.arrivedAt !== undefined) resolve = withQueueTime(resolve, options.arrivedAt as (self: unknown, args: unknown[]) => number | undefined, () => recorder.dropped(model, DROP_REASONS.phases));
  const owner = recorder.runtime ?? runtime();
  return {
    model,
    recorder,
    resolve,
    confidence: options.confidence,
    batchSize: batchSizeReader(options.batchSize as ((...args: unknown[]) => unknown) | undefined),
    streaming,
    errorType: errorTypeReader(options.errorType as ((error: unknown, args: unknown[]) => string | undefined) | undefined, () => recorder.dropped(model, DROP_REASONS.errorType)),
    generation: llm === undefined ? undefined : new GenerationPlan(llm, naming, model, owner, () => recorder.dropped(model, DROP_REASONS.llm)),
    phases: options.phases === undefined ? undefined : phasesReader(options.phases as (result: unknown, args: unknown[]) => unknown, () => recorder.dropped(model, DROP_REASONS.phases)),
  };
}

/** `llm`: a provider name of {@link LLM_PROVIDERS} or an extractor object with a `result` function. */
function checkLlm(where: string, llm: InstrumentOptions['llm']): LlmExtractor | undefined {
  if (llm === undefined) return undefined;
  if (typeof llm === 'string' && (LLM_PROVIDERS as readonly string[]).includes(llm)) return LLM_EXTRACTORS[llm];
  if (llm !== null && typeof llm === 'object' && typeof llm.result === 'function' && (llm.chunk === undefined || typeof llm.chunk === 'function')) return llm;
  throw new InstrumentOptionError('llm', `${where}: option "llm" must be one of ${LLM_PROVIDERS.map((p) => `'${p}'`).join(', ')} or an extractor { result(result), chunk?(item, usage) }; got ${describe(llm)}`, [...LLM_PROVIDERS, 'an object with a result() function']);
}

/** The environment variable that sets `genAiSemconv`'s default for every model. */
export const GENAI_SEMCONV_VARIABLE = 'INFEROMETER_GENAI_SEMCONV';

/** `genAiSemconv`, else the environment variable, else the catalog's names. */
function checkNaming(where: string, option: InstrumentOptions['genAiSemconv']): GenAiNaming {
  if (option !== undefined) {
    if (option === true) return 'semconv';
    if (option === false) return 'ml';
    if (option === 'both') return 'both';
    throw new InstrumentOptionError('genAiSemconv', `${where}: option "genAiSemconv" must be true, false or 'both'; got ${describe(option)}`, ['true', 'false', 'both']);
  }
  const variable = typeof process === 'object' ? process.env?.[GENAI_SEMCONV_VARIABLE] : undefined;
  if (variable === undefined || variable === '') return 'ml';
  const value = variable.trim().toLowerCase();
  if (value === 'true') return 'semconv';
  if (value === 'false') return 'ml';
  if (value === 'both') return 'both';
  throw new InferometerConfigError(GENAI_SEMCONV_VARIABLE, `${where}: environment variable ${GENAI_SEMCONV_VARIABLE} must be true, false or both; got ${describe(variable)}`, ['true', 'false', 'both'], { variable: GENAI_SEMCONV_VARIABLE });
}

/** Wraps a resolver so each call first records its queue time (only models with `arrivedAt` pay for it). */
function withQueueTime(resolve: Plan['resolve'], arrivedAt: (self: unknown, args: unknown[]) => number | undefined, dropped: () => void): Plan['resolve'] {
  return (self, args) => {
    const resolved = resolve(self, args);
    let arrived: number | undefined;
    try {
      arrived = arrivedAt(self, args);
    } catch (err) {
      reportInternalError('arrivedAt', err);
      dropped();
      return resolved;
    }
    if (typeof arrived === 'number' && Number.isFinite(arrived)) {
      const seconds = (Date.now() - arrived) / 1000;
      if (seconds >= 0) resolved.series.phase('queue', seconds);
      else dropped();
    }
    return resolved;
  };
}

/** The `phases` option: every known phase with a finite, non-negative number of seconds is recorded. */
function phasesReader(read: (result: unknown, args: unknown[]) => unknown, dropped: () => void): NonNullable<Plan['phases']> {
  return (call, result, args) => {
    let phases: unknown;
    try {
      phases = read(result, args);
    } catch (err) {
      reportInternalError('phases', err);
      dropped();
      return;
    }
    if (phases === null || typeof phases !== 'object') return;
    for (const phase of PHASES) {
      const seconds = (phases as Partial<Record<Phase, unknown>>)[phase];
      if (seconds === undefined) continue;
      if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) call.phase(phase, seconds);
      else dropped();
    }
  };
}

/** Every key of {@link InstrumentOptions}, in the order the TSDoc lists them. */
const OPTION_KEYS: readonly (keyof InstrumentOptions)[] = [
  'model',
  'version',
  'versionNumber',
  'confidence',
  'batchSize',
  'attributes',
  'attributeKeys',
  'attributesFrom',
  'allowUnboundedKeys',
  'buckets',
  'histograms',
  'errorType',
  'drift',
  'streaming',
  'llm',
  'genAiSemconv',
  'arrivedAt',
  'phases',
];

/** A key the options do not take (a JavaScript typo) throws, naming the closest accepted key. */
function checkOptionKeys(where: string, options: object): void {
  for (const key of Reflect.ownKeys(options)) {
    if (typeof key === 'string' && (OPTION_KEYS as readonly string[]).includes(key)) continue;
    const name = String(key);
    const accepted = closestFirst(name, OPTION_KEYS);
    const closest = didYouMean(name, OPTION_KEYS);
    const hint = closest === undefined ? '' : ` Did you mean "${closest}"?`;
    throw new InstrumentOptionError(name, `${where}: unknown option "${name}".${hint} Accepted options: ${OPTION_KEYS.join(', ')}`, accepted, { hint: closest });
  }
}

/** The option's label when it gives one (sanitized), else the class name; decided once. */
function errorTypeReader(label: ((error: unknown, args: unknown[]) => string | undefined) | undefined, dropped: () => void): Plan['errorType'] {
  if (label === undefined) return (error) => errorType(error);
  return (error, args) => {
    try {
      const text = label(error, args);
      if (typeof text === 'string' && text.length > 0) return errorLabel(text);
    } catch (err) {
      reportInternalError('errorType', err);
      dropped();
    }
    return errorType(error);
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

/** Binds the observer to one series; an observer that fails to bind is left out, not the series. */
function bindObserver(observer: InferenceObserver | undefined, model: string, version: string, recorder: Recorder): BoundInferenceObserver | undefined {
  if (observer === undefined) return undefined;
  try {
    const bound = observer.bind({ model, version });
    return bound === null || typeof bound !== 'object' ? undefined : bound;
  } catch (err) {
    reportInternalError('drift observer bind', err);
    recorder.dropped(model, DROP_REASONS.drift);
    return undefined;
  }
}

type DynamicAttribute = readonly [key: string, read: (self: unknown, args: unknown[]) => AttributeValue | undefined];

function splitAttributes(
  where: string,
  attributes: Record<string, AttributeSource> | undefined,
): { fixed: Attributes; dynamic: DynamicAttribute[] } {
  const fixed: Attributes = {};
  const dynamic: DynamicAttribute[] = [];
  if (attributes === undefined) return { fixed, dynamic };
  if (attributes === null || typeof attributes !== 'object') {
    throw new InstrumentOptionError('attributes', `${where}: option "attributes" must be an object of attribute names to constants or functions, e.g. { region: 'eu' }; got ${describe(attributes)}`, ['an object of attribute names to values']);
  }
  for (const [key, source] of Object.entries(attributes)) {
    checkKeyName(where, 'attributes', key);
    if (typeof source === 'function') {
      dynamic.push([key, source as DynamicAttribute[1]]);
    } else if (typeof source === 'string' || typeof source === 'number' || typeof source === 'boolean') {
      fixed[key] = typeof source === 'string' ? source : String(source);
    } else {
      throw new InstrumentOptionError(`attributes.${key}`, `${where}: option "attributes.${key}" must be a string, number, boolean or a function (self, args) => value; got ${describe(source)}`, ['a string', 'a number', 'a boolean', 'a function']);
    }
  }
  return { fixed, dynamic };
}

/** `attributeKeys`: label names, not already declared through `attributes`. */
function checkAttributeKeys(where: string, keys: readonly string[] | undefined, fixed: Attributes, dynamic: readonly DynamicAttribute[]): string[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new InstrumentOptionError('attributeKeys', `${where}: option "attributeKeys" must be an array of attribute names, e.g. ['tier', 'region']; got ${describe(keys)}`, ['an array of attribute names']);
  }
  for (const key of keys) {
    checkKeyName(where, 'attributeKeys', key);
    if (key in fixed || dynamic.some(([name]) => name === key)) {
      throw new InstrumentOptionError('attributeKeys', `${where}: option "attributeKeys" repeats "${key}", which option "attributes" already declares`, ['attribute names not in option "attributes"']);
    }
  }
  return [...new Set(keys)];
}

function checkOptIn(where: string, keys: readonly string[] | undefined): string[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new InstrumentOptionError('allowUnboundedKeys', `${where}: option "allowUnboundedKeys" must be an array of attribute names, e.g. ['session_bucket']; got ${describe(keys)}`, ['an array of attribute names']);
  }
  return [...keys];
}

function checkKeyName(where: string, option: string, key: string): void {
  if (!LABEL_KEY.test(key) || key.startsWith('__')) {
    throw new InstrumentOptionError(`${option}.${key}`, `${where}: option "${option}" has key "${key}", which is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`, ['a name matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with __']);
  }
  if (RESERVED_KEYS.has(key)) {
    throw new InstrumentOptionError(`${option}.${key}`, `${where}: option "${option}" has key "${key}", which the metric catalog already uses; reserved keys are ${[...RESERVED_KEYS].join(', ')}`, [`a name other than ${[...RESERVED_KEYS].join(', ')}`]);
  }
}

const HISTOGRAM_KINDS: readonly HistogramKind[] = ['explicit', 'exponential', 'both'];

/** `histograms`: one kind, or an object of kinds per catalog histogram; normalised to the object. */
function checkHistograms(where: string, histograms: HistogramKind | HistogramKinds | undefined): HistogramKinds | undefined {
  if (histograms === undefined) return undefined;
  if (typeof histograms === 'string') {
    if (!HISTOGRAM_KINDS.includes(histograms)) {
      throw new InstrumentOptionError('histograms', `${where}: option "histograms" must be one of ${HISTOGRAM_KINDS.join(', ')} or an object of them per histogram (${BUCKET_NAMES.join(', ')}); got ${describe(histograms)}`, HISTOGRAM_KINDS);
    }
    return Object.fromEntries(BUCKET_NAMES.map((name) => [name, histograms])) as HistogramKinds;
  }
  if (histograms === null || typeof histograms !== 'object') {
    throw new InstrumentOptionError('histograms', `${where}: option "histograms" must be one of ${HISTOGRAM_KINDS.join(', ')} or an object of them per histogram (${BUCKET_NAMES.join(', ')}); got ${describe(histograms)}`, HISTOGRAM_KINDS);
  }
  for (const [name, kind] of Object.entries(histograms)) {
    if (!(BUCKET_NAMES as readonly string[]).includes(name)) {
      throw new InstrumentOptionError(`histograms.${name}`, `${where}: option "histograms.${name}" is not a histogram of the catalog; accepted: ${BUCKET_NAMES.join(', ')}`, BUCKET_NAMES);
    }
    if (kind !== undefined && !HISTOGRAM_KINDS.includes(kind as HistogramKind)) {
      throw new InstrumentOptionError(`histograms.${name}`, `${where}: option "histograms.${name}" must be one of ${HISTOGRAM_KINDS.join(', ')}; got ${describe(kind)}`, HISTOGRAM_KINDS);
    }
  }
  return histograms;
}

function checkBuckets(where: string, buckets: BucketOverrides | undefined): BucketOverrides | undefined {
  if (buckets === undefined) return undefined;
  if (buckets === null || typeof buckets !== 'object') {
    throw new InstrumentOptionError('buckets', `${where}: option "buckets" must be an object with any of ${BUCKET_NAMES.join(', ')}; got ${describe(buckets)}`, BUCKET_NAMES);
  }
  for (const [name, list] of Object.entries(buckets)) {
    if (!(BUCKET_NAMES as readonly string[]).includes(name)) {
      throw new InstrumentOptionError(`buckets.${name}`, `${where}: option "buckets.${name}" is not a histogram of the catalog; accepted: ${BUCKET_NAMES.join(', ')}`, BUCKET_NAMES);
    }
    if (list === undefined) continue;
    const ok =
      Array.isArray(list) &&
      list.length > 0 &&
      list.length <= MAX_BOUNDARIES &&
      list.every((b, i) => typeof b === 'number' && Number.isFinite(b) && (i === 0 || b > (list[i - 1] as number)));
    if (!ok) {
      throw new InstrumentOptionError(`buckets.${name}`, `${where}: option "buckets.${name}" must be a non-empty array of at most ${MAX_BOUNDARIES} finite numbers in strictly increasing order; got ${describe(list)}`, [`1 to ${MAX_BOUNDARIES} finite numbers in strictly increasing order`]);
    }
  }
  return buckets;
}

function checkFunction(where: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InstrumentOptionError(name, `${where}: option "${name}" must be a function; got ${describe(value)}`, ['a function']);
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
