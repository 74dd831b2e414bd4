import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import { ProtobufError, walkFields, WIRE_LENGTH_DELIMITED, WIRE_VARINT } from './proto-fields.js';

const { onnx } = onnxProto;

/**
 * What an ONNX file says about itself, read from its bytes. onnxruntime-node
 * 1.30 exposes only the inputs' and outputs' names and types on a session,
 * not the model's metadata, so the model's identity is read from the file.
 */
export interface OnnxModelMetadata {
  /** `graph.name`: the default `model_name`. */
  readonly graphName: string | undefined;
  /** `ModelProto.model_version` (an integer), when set. */
  readonly modelVersion: number | undefined;
  /** `producer_name` and `producer_version` (the exporting tool). */
  readonly producerName: string | undefined;
  readonly producerVersion: string | undefined;
  /** `metadata_props`: the custom metadata map, e.g. `{ model_version: '1.2.0' }`. */
  readonly metadataProps: Readonly<Record<string, string>>;
  /** Graph input names (initializers listed as inputs by old exporters are left out). */
  readonly inputs: readonly string[];
  /** Graph output names. */
  readonly outputs: readonly string[];
  /** Graph outputs computed by a `Softmax` node (possibly through `Identity`): probability outputs. */
  readonly softmaxOutputs: readonly string[];
}

/** Bytes that are not an ONNX model. */
export class OnnxMetadataError extends Error {
  override readonly name = 'OnnxMetadataError';
}

// Field numbers of onnx.proto (github.com/onnx/onnx/blob/main/onnx/onnx.proto).
const MODEL_PRODUCER_NAME = 2;
const MODEL_PRODUCER_VERSION = 3;
const MODEL_VERSION = 5;
const MODEL_GRAPH = 7;
const MODEL_METADATA_PROPS = 14;
const GRAPH_NODE = 1;
const GRAPH_NAME = 2;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;

const text = new TextDecoder('utf-8', { fatal: false });

/**
 * Reads the metadata of an ONNX model from its bytes. Only the model header,
 * the metadata map and the graph's name, inputs, outputs and nodes are
 * decoded (with onnx-proto); initializers, the weights, are stepped over.
 * Throws an {@link OnnxMetadataError} for bytes that are not an ONNX model.
 *
 * @example
 * ```ts
 * const { graphName, metadataProps } = decodeOnnxMetadata(readFileSync('iris.onnx'));
 * ```
 */
export function decodeOnnxMetadata(bytes: Uint8Array): OnnxModelMetadata {
  let graphName: string | undefined;
  let modelVersion: number | undefined;
  let producerName: string | undefined;
  let producerVersion: string | undefined;
  let graph: [number, number] | undefined;
  const metadataProps: Record<string, string> = {};
  try {
    walkFields(bytes, 0, bytes.length, (field, wire, value, from, to) => {
      if (field === MODEL_VERSION && wire === WIRE_VARINT) modelVersion = value;
      else if (wire !== WIRE_LENGTH_DELIMITED) return;
      else if (field === MODEL_PRODUCER_NAME) producerName = text.decode(bytes.subarray(from, to));
      else if (field === MODEL_PRODUCER_VERSION) producerVersion = text.decode(bytes.subarray(from, to));
      else if (field === MODEL_GRAPH) graph = [from, to];
      else if (field === MODEL_METADATA_PROPS) {
        const entry = onnx.StringStringEntryProto.decode(bytes.subarray(from, to));
        if (entry.key) metadataProps[entry.key] = entry.value ?? '';
      }
    });
    if (graph === undefined) {
      throw new OnnxMetadataError('not an ONNX model: the bytes have no graph (ModelProto field 7)');
    }
    const inputs: string[] = [];
    const outputs: string[] = [];
    const initializers = new Set<string>();
    const producers = new Map<string, { op: string; input: string | undefined }>();
    walkFields(bytes, graph[0], graph[1], (field, wire, _value, from, to) => {
      if (wire !== WIRE_LENGTH_DELIMITED) return;
      const slice = bytes.subarray(from, to);
      if (field === GRAPH_NAME) graphName = text.decode(slice);
      else if (field === GRAPH_INPUT) inputs.push(onnx.ValueInfoProto.decode(slice).name);
      else if (field === GRAPH_OUTPUT) outputs.push(onnx.ValueInfoProto.decode(slice).name);
      else if (field === GRAPH_INITIALIZER) initializers.add(initializerName(bytes, from, to));
      else if (field === GRAPH_NODE) {
        const node = onnx.NodeProto.decode(slice);
        for (const output of node.output) producers.set(output, { op: node.opType, input: node.input[0] });
      }
    });
    return {
      graphName: graphName || undefined,
      modelVersion: modelVersion || undefined,
      producerName: producerName || undefined,
      producerVersion: producerVersion || undefined,
      metadataProps,
      inputs: inputs.filter((name) => !initializers.has(name)),
      outputs,
      softmaxOutputs: outputs.filter((name) => isSoftmax(name, producers)),
    };
  } catch (err) {
    if (err instanceof OnnxMetadataError) throw err;
    if (err instanceof ProtobufError || err instanceof Error) {
      throw new OnnxMetadataError(`not an ONNX model (cannot decode the ModelProto: ${err.message})`);
    }
    throw err;
  }
}

/**
 * Reads an ONNX model's metadata from a file path or its bytes.
 *
 * @example
 * ```ts
 * const metadata = await readOnnxMetadata('model/iris.onnx');
 * instrumentSession(session, { metadata });
 * ```
 */
export async function readOnnxMetadata(source: string | Uint8Array | ArrayBuffer): Promise<OnnxModelMetadata> {
  return decodeOnnxMetadata(typeof source === 'string' ? await readFile(source) : toBytes(source));
}

/** A Uint8Array view of a buffer (no copy). @internal */
export function toBytes(source: Uint8Array | ArrayBuffer): Uint8Array {
  return source instanceof Uint8Array ? source : new Uint8Array(source);
}

/** The name of a TensorProto (field 8) without decoding its data. */
function initializerName(bytes: Uint8Array, from: number, to: number): string {
  let name = '';
  walkFields(bytes, from, to, (field, wire, _value, a, b) => {
    if (field === 8 && wire === WIRE_LENGTH_DELIMITED) name = text.decode(bytes.subarray(a, b));
  });
  return name;
}

/** Whether `name` is computed by Softmax, directly or through a few Identity nodes. */
function isSoftmax(name: string, producers: ReadonlyMap<string, { op: string; input: string | undefined }>): boolean {
  let current: string | undefined = name;
  for (let hops = 0; hops < 8 && current !== undefined; hops++) {
    const node = producers.get(current);
    if (node === undefined) return false;
    if (node.op === 'Softmax') return true;
    if (node.op !== 'Identity') return false;
    current = node.input;
  }
  return false;
}
