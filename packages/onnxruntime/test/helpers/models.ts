import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

export interface ModelSpec {
  graphName?: string;
  metadata?: Record<string, string>;
  modelVersion?: number;
  /** Put the probabilities behind an Identity node, as some exporters do. */
  identity?: boolean;
  /** Name of the probability output. */
  probabilities?: string;
  /** Extra initializer bytes (a stand-in for model weights). */
  padding?: number;
}

/**
 * A small real ONNX classifier: input [N, 4] float -> MatMul -> Add -> Softmax
 * -> probabilities [N, 3] (and ArgMax -> label [N] int64), encoded with onnx-proto.
 */
export function classifierBytes(spec: ModelSpec = {}): Uint8Array {
  const probabilities = spec.probabilities ?? 'probabilities';
  const softmaxOut = spec.identity ? 'softmax_out' : probabilities;
  const weights = new Float32Array([1, 0, -1, 0.5, 0.2, -0.3, -1, 0.4, 1, -0.5, 0.1, 0.8]);
  const nodes = [
    { opType: 'MatMul', input: ['features', 'W'], output: ['z'] },
    { opType: 'Add', input: ['z', 'b'], output: ['logits'] },
    { opType: 'Softmax', input: ['logits'], output: [softmaxOut], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
    ...(spec.identity ? [{ opType: 'Identity', input: [softmaxOut], output: [probabilities] }] : []),
    {
      opType: 'ArgMax',
      input: [probabilities],
      output: ['label'],
      attribute: [
        { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
        { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 },
      ],
    },
  ];
  const tensor = (elemType: number, dims: (string | number)[]) => ({
    tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'inferometer-test',
    ...(spec.modelVersion !== undefined && { modelVersion: spec.modelVersion }),
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.graphName ?? '',
      input: [{ name: 'features', type: tensor(FLOAT, ['batch', 4]) }],
      output: [
        { name: probabilities, type: tensor(FLOAT, ['batch', 3]) },
        { name: 'label', type: tensor(INT64, ['batch']) },
      ],
      initializer: [
        { name: 'W', dataType: FLOAT, dims: [4, 3], rawData: new Uint8Array(weights.buffer) },
        { name: 'b', dataType: FLOAT, dims: [3], rawData: new Uint8Array(new Float32Array([0.1, 0, -0.1]).buffer) },
        ...(spec.padding ? [{ name: 'unused', dataType: FLOAT, dims: [spec.padding / 4], rawData: new Uint8Array(spec.padding) }] : []),
      ],
      node: nodes,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
