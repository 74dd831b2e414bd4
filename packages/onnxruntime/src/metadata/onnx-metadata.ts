import { readFile } from 'node:fs/promises';
import { diag } from '@opentelemetry/api';
import { ProtobufError, walkFields, WIRE_LENGTH_DELIMITED, WIRE_VARINT } from './proto-fields.js';

/**
 * What an ONNX file says about itself, read from its bytes. onnxruntime-node
 * 1.30 exposes only the inputs' and outputs' names and types on a session,
 * not the model's metadata, so the model's identity is read from the file.
 */
export interface OnnxModelMetadata {
  /** `ModelProto.ir_version`, when set. */
  readonly irVersion: number | undefined;
  /** `graph.name`: the default `model_name`. */
  readonly graphName: string | undefined;
  /** `ModelProto.model_version` (an integer), when set. */
  readonly modelVersion: number | undefined;
  /** `producer_name` and `producer_version` (the exporting tool). */
  readonly producerName: string | undefined;
  readonly producerVersion: string | undefined;
  /** `ModelProto.domain`, a reverse-DNS namespace such as `ai.onnx.ml`, when set. */
  readonly domain: string | undefined;
  /** `ModelProto.doc_string`, when set (and at most {@link MAX_TEXT_BYTES} bytes). */
  readonly docString: string | undefined;
  /** `metadata_props`: the custom metadata map, e.g. `{ model_version: '1.2.0' }`. */
  readonly metadataProps: Readonly<Record<string, string>>;
  /** Graph input names (initializers listed as inputs by old exporters are left out). */
  readonly inputs: readonly string[];
  /** Graph output names. */
  readonly outputs: readonly string[];
  /** Graph outputs computed by a `Softmax` node (possibly through `Identity`): probability outputs. */
  readonly softmaxOutputs: readonly string[];
}

/** Bytes that are not an ONNX model: the only error {@link decodeOnnxMetadata} throws. */
export class OnnxMetadataError extends Error {
  override readonly name = 'OnnxMetadataError';
  readonly code = 'ONNX_METADATA_INVALID';
}

/**
 * Longest text field read (names, versions, doc strings, metadata keys and
 * values): 64 KiB. A longer one is left out, with a `diag` warning.
 */
export const MAX_TEXT_BYTES = 64 * 1024;

/** Most `metadata_props` entries kept: 4096. Later ones are left out, with a `diag` warning. */
export const MAX_METADATA_PROPS = 4096;

// Field numbers of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto).
const MODEL_IR_VERSION = 1;
const MODEL_PRODUCER_NAME = 2;
const MODEL_PRODUCER_VERSION = 3;
const MODEL_DOMAIN = 4;
const MODEL_VERSION = 5;
const MODEL_DOC_STRING = 6;
const MODEL_GRAPH = 7;
const MODEL_METADATA_PROPS = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;
const GRAPH_NODE = 1;
const GRAPH_NAME = 2;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const VALUE_INFO_NAME = 1;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const TENSOR_NAME = 8;

const WHERE = '@inferometer/onnxruntime';
const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Reads the metadata of an ONNX model from its bytes with a protobuf reader
 * of its own: the model header, the metadata map and the graph's name,
 * inputs, outputs and nodes are read; everything else (initializers, the
 * weights, most of a file) is stepped over by its wire type. Every length is
 * checked against the buffer before it is used.
 * Throws an {@link OnnxMetadataError}, and nothing else, for bytes that are
 * not an ONNX model.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { decodeOnnxMetadata } from '@inferometer/onnxruntime';
 *
 * const { graphName, metadataProps } = decodeOnnxMetadata(readFileSync('iris.onnx'));
 * ```
 */
export function decodeOnnxMetadata(bytes: Uint8Array): OnnxModelMetadata {
  try {
    return decode(bytes);
  } catch (err) {
    if (err instanceof OnnxMetadataError) throw err;
    if (err instanceof ProtobufError) throw new OnnxMetadataError(`not an ONNX model (cannot decode the ModelProto: ${err.message})`);
    // Unreachable by the reader's own checks; still, the caller is promised this one type.
    throw new OnnxMetadataError(`not an ONNX model (${err instanceof Error ? err.message : String(err)})`);
  }
}

function decode(bytes: Uint8Array): OnnxModelMetadata {
  let irVersion: number | undefined;
  let modelVersion: number | undefined;
  let producerName: string | undefined;
  let producerVersion: string | undefined;
  let domain: string | undefined;
  let docString: string | undefined;
  let graph: [number, number] | undefined;
  const entries: [number, number][] = [];
  walkFields(bytes, 0, bytes.length, (field, wire, value, from, to) => {
    if (wire === WIRE_VARINT) {
      if (field === MODEL_IR_VERSION) irVersion = positive(value);
      else if (field === MODEL_VERSION) modelVersion = positive(value);
      return;
    }
    if (wire !== WIRE_LENGTH_DELIMITED) return;
    if (field === MODEL_PRODUCER_NAME) producerName = text(bytes, from, to, 'producer_name');
    else if (field === MODEL_PRODUCER_VERSION) producerVersion = text(bytes, from, to, 'producer_version');
    else if (field === MODEL_DOMAIN) domain = text(bytes, from, to, 'domain');
    else if (field === MODEL_DOC_STRING) docString = text(bytes, from, to, 'doc_string');
    // A repeated sub-message field: protobufjs (onnx-proto) keeps the last one.
    else if (field === MODEL_GRAPH) graph = [from, to];
    else if (field === MODEL_METADATA_PROPS) entries.push([from, to]);
  });
  if (graph === undefined) {
    throw new OnnxMetadataError('not an ONNX model: the bytes have no graph (ModelProto field 7)');
  }
  const metadataProps = readMetadataProps(bytes, entries);
  let graphName: string | undefined;
  const inputs: string[] = [];
  const outputs: string[] = [];
  const initializers = new Set<string>();
  const producers = new Map<string, { op: string; input: string | undefined }>();
  walkFields(bytes, graph[0], graph[1], (field, wire, _value, from, to) => {
    if (wire !== WIRE_LENGTH_DELIMITED) return;
    if (field === GRAPH_NAME) graphName = text(bytes, from, to, 'graph.name');
    else if (field === GRAPH_INPUT) inputs.push(stringField(bytes, from, to, VALUE_INFO_NAME, 'graph.input.name'));
    else if (field === GRAPH_OUTPUT) outputs.push(stringField(bytes, from, to, VALUE_INFO_NAME, 'graph.output.name'));
    else if (field === GRAPH_INITIALIZER) initializers.add(stringField(bytes, from, to, TENSOR_NAME, 'graph.initializer.name'));
    else if (field === GRAPH_NODE) {
      const node = readNode(bytes, from, to);
      for (const output of node.outputs) producers.set(output, { op: node.op, input: node.inputs[0] });
    }
  });
  return {
    irVersion,
    graphName: graphName || undefined,
    modelVersion,
    producerName: producerName || undefined,
    producerVersion: producerVersion || undefined,
    domain: domain || undefined,
    docString: docString || undefined,
    metadataProps,
    inputs: inputs.filter((name) => !initializers.has(name)),
    outputs,
    softmaxOutputs: outputs.filter((name) => isSoftmax(name, producers)),
  };
}

/**
 * Reads an ONNX model's metadata from a file path or its bytes.
 *
 * @example
 * ```ts
 * import { readOnnxMetadata } from '@inferometer/onnxruntime';
 *
 * const metadata = await readOnnxMetadata('model/iris.onnx');
 * console.log(metadata.graphName, metadata.metadataProps);
 * ```
 */
export async function readOnnxMetadata(source: string | Uint8Array | ArrayBuffer): Promise<OnnxModelMetadata> {
  return decodeOnnxMetadata(typeof source === 'string' ? await readFile(source) : toBytes(source));
}

/** A Uint8Array view of a buffer (no copy). @internal */
export function toBytes(source: Uint8Array | ArrayBuffer): Uint8Array {
  return source instanceof Uint8Array ? source : new Uint8Array(source);
}

/** A varint as a count: unset (0), negative (two's complement, beyond 2^53) and inexact values are undefined. */
function positive(value: number): number | undefined {
  return value > 0 && value <= Number.MAX_SAFE_INTEGER ? value : undefined;
}

/** The UTF-8 text in `bytes[from, to)`, or undefined (with a warning) past {@link MAX_TEXT_BYTES}. */
function text(bytes: Uint8Array, from: number, to: number, field: string): string | undefined {
  if (to - from > MAX_TEXT_BYTES) {
    diag.warn(`${WHERE}: ONNX ${field} of ${to - from} bytes is longer than ${MAX_TEXT_BYTES}; left out`);
    return undefined;
  }
  return utf8.decode(bytes.subarray(from, to));
}

/** The last string field `number` of the message in `bytes[from, to)` ('' when absent, as protobuf defaults). */
function stringField(bytes: Uint8Array, from: number, to: number, number: number, name: string): string {
  let found = '';
  walkFields(bytes, from, to, (field, wire, _value, a, b) => {
    if (field === number && wire === WIRE_LENGTH_DELIMITED) found = text(bytes, a, b, name) ?? '';
  });
  return found;
}

/** `metadata_props` as a map: empty keys and over-long entries left out, the last of equal keys kept, at most {@link MAX_METADATA_PROPS}. */
function readMetadataProps(bytes: Uint8Array, entries: readonly [number, number][]): Record<string, string> {
  const props = new Map<string, string>();
  let dropped = 0;
  for (const [from, to] of entries) {
    let key: string | undefined = '';
    let value: string | undefined = '';
    walkFields(bytes, from, to, (field, wire, _value, a, b) => {
      if (wire !== WIRE_LENGTH_DELIMITED) return;
      if (field === ENTRY_KEY) key = text(bytes, a, b, 'metadata_props key');
      else if (field === ENTRY_VALUE) value = text(bytes, a, b, 'metadata_props value');
    });
    if (!key || value === undefined) continue;
    if (!props.has(key) && props.size >= MAX_METADATA_PROPS) dropped++;
    else props.set(key, value);
  }
  if (dropped > 0) diag.warn(`${WHERE}: the ONNX model has more than ${MAX_METADATA_PROPS} metadata_props; ${dropped} left out`);
  // fromEntries defines own properties, so a key such as "__proto__" stays a key.
  return Object.fromEntries(props);
}

function readNode(bytes: Uint8Array, from: number, to: number): { op: string; inputs: string[]; outputs: string[] } {
  const node = { op: '', inputs: [] as string[], outputs: [] as string[] };
  walkFields(bytes, from, to, (field, wire, _value, a, b) => {
    if (wire !== WIRE_LENGTH_DELIMITED) return;
    if (field === NODE_INPUT) node.inputs.push(text(bytes, a, b, 'node.input') ?? '');
    else if (field === NODE_OUTPUT) node.outputs.push(text(bytes, a, b, 'node.output') ?? '');
    else if (field === NODE_OP_TYPE) node.op = text(bytes, a, b, 'node.op_type') ?? '';
  });
  return node;
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
