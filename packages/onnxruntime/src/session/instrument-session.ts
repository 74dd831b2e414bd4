import { diag } from '@opentelemetry/api';
import { InferometerConfigError, instrument, type BoundInferenceObserver, type InferenceObserver } from '@inferometer/core';
import { runtime } from '@inferometer/core/internal';
import { ATTR_EXECUTION_PROVIDER } from '../catalog.js';
import type { InferenceSession } from 'onnxruntime-node';
import { loadTimes } from '../load/load-time.js';
import type { OnnxModelMetadata } from '../metadata/onnx-metadata.js';
import { chooseConfidence } from './confidence.js';
import { INVALID_INPUT, isInvalidInput } from './invalid-input.js';
import type { InstrumentSessionOptions, SessionFeeds } from './options.js';

/** Who a wrapped session reports as. */
export interface SessionIdentity {
  /** `model_name`. */
  readonly model: string;
  /** `model_version`. */
  readonly version: string;
  /** `execution_provider`. */
  readonly executionProvider: string;
  /** Where confidence is read from, when it is an output. */
  readonly confidenceOutput: string | undefined;
}

const identities = new WeakMap<object, SessionIdentity>();

type Run = InferenceSession['run'];
type AnyRun = (feeds: SessionFeeds, fetchesOrOptions?: unknown, options?: unknown) => Promise<InferenceSession.ReturnType>;

const WHERE = 'instrumentSession(session, options)';

/**
 * Returns the session with `run()` instrumented through `@inferometer/core`'s
 * `instrument()`: `ml_predictions_total`, latency, errors (feeds that do not
 * fit the model as `error_type="invalid_input"`), batch size from the
 * leading dimension of the first input, confidence from the probability
 * output, per model version; plus `ml_model_load_seconds` when `loadSeconds`
 * is given, and drift when `drift` is.
 *
 * The result is the session itself for everything else: it inherits from it
 * (`Object.create(session)`), so `inputNames`, `outputNames`,
 * `inputMetadata`, `release()` and `instanceof InferenceSession` work as
 * before, and its type is the session's type. `run()` resolves to the very
 * same outputs and rejects with the very same error.
 *
 * An existing session does not expose its ONNX metadata: give `model` (and
 * `version`), or `metadata` from `readOnnxMetadata`. `createInstrumentedSession`
 * does both for you.
 *
 * @example
 * ```ts
 * import { InferenceSession } from 'onnxruntime-node';
 * import { instrumentSession, readOnnxMetadata } from '@inferometer/onnxruntime';
 *
 * const session = instrumentSession(await InferenceSession.create('iris.onnx'), {
 *   metadata: await readOnnxMetadata('iris.onnx'), // model 'iris', version from metadata_props
 * });
 * const { probabilities } = await session.run({ float_input: tensor });
 * ```
 */
export function instrumentSession<S extends InferenceSession>(session: S, options: InstrumentSessionOptions = {}): S {
  if (session === null || typeof session !== 'object' || typeof session.run !== 'function' || !Array.isArray(session.inputNames)) {
    throw new InferometerConfigError('session', `${WHERE}: session must be an onnxruntime InferenceSession (from InferenceSession.create); got ${session === null ? 'null' : typeof session}`, ['an onnxruntime InferenceSession (from InferenceSession.create)']);
  }
  if (options === null || typeof options !== 'object') throw new InferometerConfigError('options', `${WHERE}: options must be an object such as { model: 'iris', version: '1.0.0' }`, ['an object such as { model: "iris", version: "1.0.0" }']);
  const { identity, confidence } = resolveIdentity(options, session);
  const raw = session.run as AnyRun;
  const drift = options.drift;
  if (drift !== undefined) checkDrift(drift, session, options.metadata);
  let run: AnyRun;
  if (options.recordPredictions === false) {
    run = observeOnly(session, raw, drift, identity);
  } else {
    run = measured(session, raw, options, identity, confidence);
  }
  if (options.loadSeconds !== undefined) {
    if (typeof options.loadSeconds !== 'number' || !Number.isFinite(options.loadSeconds) || options.loadSeconds < 0) {
      throw new InferometerConfigError('loadSeconds', `${WHERE}: option "loadSeconds" must be a number of seconds >= 0; got ${String(options.loadSeconds)}`, ['a number of seconds >= 0']);
    }
    loadTimes().record(options.loadSeconds, identity.model, identity.version, identity.executionProvider);
  }
  const wrapped = Object.create(session) as S;
  Object.defineProperty(wrapped, 'run', { value: run as Run, writable: true, configurable: true, enumerable: false });
  identities.set(wrapped, identity);
  return wrapped;
}

/**
 * The identity an instrumented session reports as (model, version,
 * execution provider), or `undefined` for a session that is not wrapped.
 * Lets the service show the version it serves without reading it twice.
 *
 * @example
 * ```ts
 * const { version } = sessionIdentity(session)!;
 * ```
 */
export function sessionIdentity(session: object): SessionIdentity | undefined {
  return identities.get(session);
}

function resolveIdentity(
  options: InstrumentSessionOptions,
  session: InferenceSession,
): { identity: SessionIdentity; confidence: ReturnType<typeof chooseConfidence>['extractor'] } {
  const metadata = options.metadata;
  const model = options.model ?? metadata?.graphName;
  if (typeof model !== 'string' || model.length === 0 || model.length > 128) {
    throw new InferometerConfigError(
      'model',
      options.model !== undefined
        ? `${WHERE}: option "model" must be a string of 1 to 128 characters; got ${JSON.stringify(options.model)}`
        : metadata !== undefined
          ? `${WHERE}: option "model" is required: the ONNX graph has no name to default to`
          : `${WHERE}: option "model" is required: an existing session does not expose its ONNX graph name; pass { model: 'name' } or { metadata: await readOnnxMetadata(pathOrBytes) }`,
      ['a string of 1 to 128 characters'],
    );
  }
  const props = metadata?.metadataProps ?? {};
  const version = options.version ?? props.model_version ?? props.version ?? (metadata?.modelVersion !== undefined ? String(metadata.modelVersion) : 'unknown');
  if (typeof version !== 'string' || version.length === 0 || version.length > 128) {
    throw new InferometerConfigError('version', `${WHERE}: option "version" must be a string of 1 to 128 characters; got ${JSON.stringify(options.version)}`, ['a string of 1 to 128 characters']);
  }
  const executionProvider = options.executionProvider ?? 'cpu';
  if (typeof executionProvider !== 'string' || executionProvider.length === 0 || executionProvider.length > 64) {
    throw new InferometerConfigError('executionProvider', `${WHERE}: option "executionProvider" must be a provider name such as 'cpu' or 'cuda'; got ${JSON.stringify(options.executionProvider)}`, ['a provider name of 1 to 64 characters, such as cpu or cuda']);
  }
  const { output, extractor } = chooseConfidence(WHERE, options.confidence, session, metadata);
  return { identity: { model, version, executionProvider, confidenceOutput: output }, confidence: extractor };
}

/**
 * `run()` through core's `instrument()`; a feed that does not fit the model
 * is labelled `invalid_input` by core's `errorType` option, and the caller
 * gets onnxruntime's own error.
 */
function measured(
  session: InferenceSession,
  raw: AnyRun,
  options: InstrumentSessionOptions,
  identity: SessionIdentity,
  extractor: ReturnType<typeof chooseConfidence>['extractor'],
): AnyRun {
  if (options.batchSize !== undefined && options.batchSize !== false && typeof options.batchSize !== 'function') {
    throw new InferometerConfigError('batchSize', `${WHERE}: option "batchSize" must be a function of the feeds, or false`, ['a function of the feeds', 'false']);
  }
  const firstInput = session.inputNames[0];
  const batchSize =
    options.batchSize === false
      ? undefined
      : (options.batchSize ?? ((feeds: SessionFeeds) => leadingDimension(firstInput === undefined ? undefined : feeds?.[firstInput])));
  const loads = loadTimes();
  return instrument(
    function run(feeds: SessionFeeds, fetchesOrOptions?: unknown, runOptions?: unknown) {
      loads.ensure();
      // Arguments passed on as given: onnxruntime treats an undefined argument as an absent one.
      return raw.call(session, feeds, fetchesOrOptions, runOptions);
    },
    {
      errorType: (error, [feeds]) => (isInvalidInput(error, feeds, session) ? INVALID_INPUT : undefined),
      model: identity.model,
      version: identity.version,
      attributes: { ...options.attributes, [ATTR_EXECUTION_PROVIDER]: identity.executionProvider },
      ...(options.buckets !== undefined && { buckets: options.buckets }),
      ...(batchSize !== undefined && { batchSize }),
      ...(extractor !== undefined && { confidence: extractor }),
      ...(options.drift !== undefined && { drift: options.drift }),
    },
  ) as AnyRun;
}

/**
 * `run()` that only feeds the drift observer (`recordPredictions: false`):
 * the counting is left to an `@Instrument` around it.
 */
function observeOnly(session: InferenceSession, raw: AnyRun, drift: InferenceObserver | undefined, identity: SessionIdentity): AnyRun {
  const loads = loadTimes();
  let bound: BoundInferenceObserver | undefined;
  if (drift !== undefined) {
    try {
      bound = drift.bind({ model: identity.model, version: identity.version });
    } catch (err) {
      diag.error('@inferometer/onnxruntime: the drift observer failed to bind; drift is off for this session', err);
    }
  }
  if (bound === undefined) {
    return function run(feeds, fetchesOrOptions, runOptions) {
      loads.ensure();
      return raw.call(session, feeds, fetchesOrOptions, runOptions);
    };
  }
  const observer = bound;
  const onOutput = (outputs: InferenceSession.ReturnType): InferenceSession.ReturnType => {
    try {
      observer.output?.(outputs);
    } catch (err) {
      reportOnce('drift observer output', err);
    }
    return outputs;
  };
  // One arguments array, reused: input hooks run synchronously and must not
  // keep the arguments (core's InferenceObserver contract), and the slots are
  // cleared after the call so no tensor is held.
  const args: unknown[] = [undefined, undefined, undefined];
  return function run(feeds, fetchesOrOptions, runOptions) {
    loads.ensure();
    args[0] = feeds;
    args[1] = fetchesOrOptions;
    args[2] = runOptions;
    try {
      observer.input?.(args);
    } catch (err) {
      reportOnce('drift observer input', err);
    }
    args[0] = args[1] = args[2] = undefined;
    const result = raw.call(session, feeds, fetchesOrOptions, runOptions);
    return observer.output === undefined ? result : result.then(onOutput);
  };
}

/** The profile's width (and names) against the model's only input, when a `DriftMonitor` is given. */
function checkDrift(drift: InferenceObserver, session: InferenceSession, metadata: OnnxModelMetadata | undefined): void {
  if (drift === null || typeof (drift as Partial<InferenceObserver>).bind !== 'function') {
    throw new InferometerConfigError('drift', `${WHERE}: option "drift" must be an observer with a bind() method, such as driftMonitor({ reference, features }) from @inferometer/drift`, ['an observer with a bind() method, such as driftMonitor({ reference, features })']);
  }
  const check = (drift as { checkFeatures?: (width: number, names?: readonly string[], where?: string) => void }).checkFeatures;
  const inputs = (session.inputMetadata ?? []) as readonly InferenceSession.ValueMetadata[];
  if (typeof check !== 'function' || inputs.length !== 1) return;
  const input = inputs[0]!;
  const width = input.isTensor ? input.shape[input.shape.length - 1] : undefined;
  if (typeof width !== 'number' || width < 0) return;
  const names = metadata?.metadataProps.features?.split(',').map((name) => name.trim());
  check.call(drift, width, names?.length === width ? names : undefined, `the model's input "${input.name}"`);
}

function leadingDimension(value: unknown): number {
  const dims = (value as { dims?: readonly number[] } | undefined)?.dims;
  if (!Array.isArray(dims)) return Number.NaN; // core counts it as a dropped batch-size observation
  return dims.length === 0 ? 1 : (dims[0] as number);
}

/** Our own failure, through core's report-once memory (bounded, one per process). */
function reportOnce(where: string, err: unknown): void {
  runtime().diag.error(`@inferometer/onnxruntime:error:${where}`, `@inferometer/onnxruntime: internal failure in ${where}; the prediction was not affected`, err);
}
