import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { decodeOnnxMetadata, MAX_METADATA_PROPS, MAX_TEXT_BYTES, OnnxMetadataError, type OnnxModelMetadata } from '../../src/metadata/onnx-metadata.js';

// The metadata reader is a protobuf reader of its own; onnx-proto (the
// generated protobufjs code for onnx.proto) is the reference it is checked
// against, and a devDependency only.
const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** What onnx-proto's full decoder says the metadata is, in the reader's terms. */
function expectedFrom(bytes: Uint8Array): OnnxModelMetadata {
  const model = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, defaults: true, arrays: true }) as {
    irVersion: number;
    producerName: string;
    producerVersion: string;
    domain: string;
    modelVersion: number;
    docString: string;
    metadataProps: { key: string; value: string }[];
    graph: {
      name: string;
      input: { name: string }[];
      output: { name: string }[];
      initializer: { name: string }[];
      node: { opType: string; input: string[]; output: string[] }[];
    };
  };
  // A map keyed by any string, "__proto__" included: the last of equal keys wins.
  const props = new Map<string, string>();
  for (const { key, value } of model.metadataProps) if (key) props.set(key, value);
  const initializers = new Set(model.graph.initializer.map((t) => t.name));
  const producers = new Map(model.graph.node.flatMap((n) => n.output.map((o) => [o, n] as const)));
  const softmax = (name: string): boolean => {
    let current: string | undefined = name;
    for (let hops = 0; hops < 8 && current !== undefined; hops++) {
      const node = producers.get(current);
      if (node === undefined || (node.opType !== 'Softmax' && node.opType !== 'Identity')) return false;
      if (node.opType === 'Softmax') return true;
      current = node.input[0];
    }
    return false;
  };
  const outputs = model.graph.output.map((o) => o.name);
  return {
    irVersion: model.irVersion || undefined,
    producerName: model.producerName || undefined,
    producerVersion: model.producerVersion || undefined,
    domain: model.domain || undefined,
    modelVersion: model.modelVersion || undefined,
    docString: model.docString || undefined,
    graphName: model.graph.name || undefined,
    metadataProps: Object.fromEntries(props),
    inputs: model.graph.input.map((i) => i.name).filter((name) => !initializers.has(name)),
    outputs,
    softmaxOutputs: outputs.filter(softmax),
  };
}

const name = fc.string({ unit: 'grapheme', maxLength: 12 });
const names = fc.array(name, { maxLength: 4 });
const node = fc.record({ opType: fc.constantFrom('Softmax', 'Identity', 'MatMul', 'Add'), input: names, output: names, name, docString: name });
const modelArb = fc.record({
  irVersion: fc.integer({ min: 0, max: 20 }),
  producerName: name,
  producerVersion: name,
  domain: name,
  modelVersion: fc.nat(),
  docString: fc.string({ unit: 'grapheme', maxLength: 200 }),
  opsetImport: fc.array(fc.record({ domain: name, version: fc.integer({ min: 1, max: 30 }) }), { maxLength: 3 }),
  metadataProps: fc.array(fc.record({ key: name, value: name }), { maxLength: 6 }),
  graph: fc.record({
    name,
    docString: name,
    input: fc.array(fc.record({ name }), { maxLength: 4 }),
    output: fc.array(fc.record({ name }), { maxLength: 4 }),
    node: fc.array(node, { maxLength: 8 }),
    // Weights: raw bytes and float lists, the fields that make a model file large.
    initializer: fc.array(
      fc.record({ name, dataType: fc.constant(FLOAT), dims: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 3 }), rawData: fc.uint8Array({ maxLength: 2048 }), floatData: fc.array(fc.float({ noNaN: true }), { maxLength: 16 }) }),
      { maxLength: 3 },
    ),
  }),
});

describe('decodeOnnxMetadata against onnx-proto', () => {
  it('decodes every model onnx-proto encodes exactly as onnx-proto does', () => {
    fc.assert(
      fc.property(modelArb, (spec) => {
        const bytes = onnx.ModelProto.encode(onnx.ModelProto.create(spec)).finish();
        expect(decodeOnnxMetadata(bytes)).toEqual(expectedFrom(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('steps over a large graph: 32 MiB of raw weights and 200 000 floats beside the fields it reads', () => {
    const model = onnx.ModelProto.create({
      irVersion: 9,
      producerName: 'skl2onnx',
      producerVersion: '1.17.0',
      domain: 'ai.onnx.ml',
      modelVersion: 7,
      docString: 'an iris classifier',
      metadataProps: [{ key: 'model_version', value: '2.0.1' }],
      graph: {
        name: 'big',
        input: [{ name: 'x' }],
        output: [{ name: 'p' }],
        node: [{ opType: 'Softmax', input: ['x'], output: ['p'] }],
        initializer: [
          { name: 'W', dataType: FLOAT, dims: [8 * 1024 * 1024], rawData: new Uint8Array(32 * 1024 * 1024).fill(0xff) },
          { name: 'b', dataType: FLOAT, dims: [200_000], floatData: Array.from({ length: 200_000 }, (_, i) => i) },
        ],
      },
    });
    const bytes = onnx.ModelProto.encode(model).finish();
    const metadata = decodeOnnxMetadata(bytes);
    expect(metadata).toEqual(expectedFrom(bytes));
    expect(metadata).toMatchObject({ irVersion: 9, producerName: 'skl2onnx', producerVersion: '1.17.0', domain: 'ai.onnx.ml', modelVersion: 7, docString: 'an iris classifier' });
  });

  it('throws nothing but OnnxMetadataError for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        try {
          decodeOnnxMetadata(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(OnnxMetadataError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('throws nothing but OnnxMetadataError for real models with bytes flipped or cut', () => {
    fc.assert(
      fc.property(modelArb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 8 }), fc.nat(), (spec, flips, cut) => {
        const bytes = onnx.ModelProto.encode(onnx.ModelProto.create(spec)).finish().slice();
        for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value;
        try {
          decodeOnnxMetadata(bytes.subarray(0, bytes.length === 0 ? 0 : cut % (bytes.length + 1)));
        } catch (err) {
          expect(err).toBeInstanceOf(OnnxMetadataError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a length that points past the buffer without reading past it', () => {
    // field 7 (graph), length-delimited, length 2^40: a header claiming a terabyte.
    const bytes = Uint8Array.from([0x3a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x01, 0x02]);
    expect(() => decodeOnnxMetadata(bytes)).toThrow(OnnxMetadataError);
    expect(() => decodeOnnxMetadata(bytes.subarray(0, 3))).toThrow(OnnxMetadataError);
  });

  it('skips text past its bound and metadata entries past their count', () => {
    const long = 'x'.repeat(MAX_TEXT_BYTES + 1);
    const metadataProps = [
      { key: 'kept', value: 'yes' },
      { key: 'long', value: long },
      ...Array.from({ length: MAX_METADATA_PROPS + 10 }, (_, i) => ({ key: `k${i}`, value: String(i) })),
    ];
    const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({ producerName: long, docString: long, metadataProps, graph: { name: 'g' } })).finish();
    const metadata = decodeOnnxMetadata(bytes);
    expect(metadata.producerName).toBeUndefined();
    expect(metadata.docString).toBeUndefined();
    expect(metadata.graphName).toBe('g');
    expect(metadata.metadataProps.kept).toBe('yes');
    expect(metadata.metadataProps.long).toBeUndefined();
    expect(Object.keys(metadata.metadataProps)).toHaveLength(MAX_METADATA_PROPS);
  });
});

describe('production dependencies', () => {
  const pkgDir = fileURLToPath(new URL('../..', import.meta.url));

  it('no source file imports onnx-proto or protobufjs', () => {
    const files = readdirSync(join(pkgDir, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    const importers = files.filter((f) => /from\s+['"](onnx-proto|protobufjs)['"/]/.test(readFileSync(join(pkgDir, 'src', f), 'utf8')));
    expect(importers).toEqual([]);
  });

  it('onnx-proto is a devDependency only', () => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['@inferometer/core']);
    expect(pkg.devDependencies?.['onnx-proto']).toBeDefined();
  });
});
