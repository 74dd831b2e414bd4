import { Instrument, type InferenceObserver } from '@inferometer/core';
import { createInstrumentedSession, sessionIdentity } from '@inferometer/onnxruntime';
import * as ort from 'onnxruntime-node';
import { outcomes } from './quality.js';

/** The iris classes, in the order of the model's `probabilities` output. */
export const CLASSES = ['setosa', 'versicolor', 'virginica'] as const;
/** Features per row, in centimetres. */
export const FEATURE_COUNT = 4;

/** Input the model cannot take; the HTTP layer answers it with 400. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** A failure injected on purpose (see {@link IrisModel.faultRatio}); the HTTP layer answers 500. */
export class ModelFaultError extends Error {
  override readonly name = 'ModelFaultError';
}

/** One prediction per input row. */
export interface Prediction {
  readonly label: (typeof CLASSES)[number];
  readonly probabilities: readonly number[];
}

/**
 * The iris classifier, served by onnxruntime-node, instrumented at two
 * levels that do not overlap:
 * - `predict` carries `@Instrument`: every request is counted, timed and its
 *   confidence observed, refused input included (it never reaches the
 *   runtime, yet it is a failed prediction for the caller);
 * - the session comes from `@inferometer/onnxruntime` with
 *   `recordPredictions: false`: it adds what only the runtime level knows
 *   (load time and execution provider, the model's identity read from the
 *   ONNX metadata, drift on the exact tensor the model sees) and counts
 *   nothing twice.
 */
export class IrisModel {
  /**
   * Share of predictions, 0 to 1, that fail with {@link ModelFaultError}:
   * lets the demo show (and the alerting tests force) a failing model.
   */
  faultRatio = 0;

  private constructor(
    private readonly session: ort.InferenceSession,
    /** The `model_version` entry of the ONNX model's metadata. */
    public version: string,
  ) {}

  /**
   * Loads the ONNX model file. Its name and version come from the ONNX
   * metadata (graph `iris`, `metadata_props.model_version`), read once by the
   * instrumented session; `drift` watches the session's input tensor.
   */
  static async load(path: string, options: { drift?: InferenceObserver } = {}): Promise<IrisModel> {
    const session = await createInstrumentedSession(path, {
      recordPredictions: false,
      ...(options.drift !== undefined && { drift: options.drift }),
    });
    return new IrisModel(session, sessionIdentity(session)?.version ?? 'unknown');
  }

  @Instrument({
    model: 'iris',
    version: (self: IrisModel) => self.version,
    batchSize: (rows: unknown) => (Array.isArray(rows) ? rows.length : 0),
    confidence: (predictions: Prediction[]) => predictions.map((p) => p.probabilities),
    // Refused input is the caller's mistake: its own error_type, which the
    // generated error-ratio alert leaves out (inferometer rules
    // --client-error-types, default invalid_input), so it never pages the
    // model owners.
    errorType: (error: unknown) => (error instanceof InvalidInputError ? 'invalid_input' : undefined),
    // Keeps each row's predicted label and confidence for its true species (POST /feedback).
    drift: outcomes,
  })
  async predict(rows: unknown): Promise<Prediction[]> {
    const input = toTensor(rows);
    if (this.faultRatio > 0 && Math.random() < this.faultRatio) {
      throw new ModelFaultError('injected fault (IRIS_FAULT_RATIO or POST /admin/fault)');
    }
    const output = await this.session.run({ float_input: input });
    const probabilities = output.probabilities?.data as Float32Array;
    const predictions: Prediction[] = [];
    for (let row = 0; row < input.dims[0]!; row++) {
      const p = Array.from(probabilities.subarray(row * CLASSES.length, (row + 1) * CLASSES.length));
      predictions.push({ label: CLASSES[p.indexOf(Math.max(...p))]!, probabilities: p });
    }
    return predictions;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Checks the rows and packs them into a float32 [N, 4] tensor. */
function toTensor(rows: unknown): ort.Tensor {
  if (!Array.isArray(rows) || rows.length === 0 || rows.length > 1024) {
    throw new InvalidInputError('"instances" must be an array of 1 to 1024 rows, each of 4 numbers (sepal length, sepal width, petal length, petal width in cm)');
  }
  const data = new Float32Array(rows.length * FEATURE_COUNT);
  rows.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== FEATURE_COUNT || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new InvalidInputError(`row ${i} must be an array of ${FEATURE_COUNT} finite numbers; got ${JSON.stringify(row)?.slice(0, 80)}`);
    }
    data.set(row as number[], i * FEATURE_COUNT);
  });
  return new ort.Tensor('float32', data, [rows.length, FEATURE_COUNT]);
}
