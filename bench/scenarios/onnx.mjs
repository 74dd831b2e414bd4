// Target 2: the iris ONNX model (batch 1) instrumented with @Instrument runs
// within 2 % of the same model uninstrumented (issue 24; 3 % before). Both run in this process, in
// alternating rounds, and the overhead is the median of the per-round ratios
// so that drift in machine load hits both sides alike.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Instrument } from '@inferometer/core';
import { start } from '@inferometer/node';
import { report, row } from '../lib.mjs';

const modelPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'onnx-iris', 'model', 'iris.onnx');
const session = await ort.InferenceSession.create(readFileSync(modelPath));
const input = new ort.Tensor('float32', Float32Array.from([5.1, 3.5, 1.4, 0.2]), [1, 4]);

class Plain {
  async predict(tensor) {
    const out = await session.run({ float_input: tensor });
    return out.probabilities.data;
  }
}
class Instrumented {
  async predict(tensor) {
    const out = await session.run({ float_input: tensor });
    return out.probabilities.data;
  }
}
// What TypeScript emits for `@Instrument(...)` on a method under
// experimentalDecorators (plain JavaScript has no decorator syntax, Node 24 included).
const descriptor = Object.getOwnPropertyDescriptor(Instrumented.prototype, 'predict');
Object.defineProperty(
  Instrumented.prototype,
  'predict',
  Instrument({ model: 'iris', version: '1.0.0', batchSize: (t) => t.dims[0], confidence: (p) => p })(Instrumented.prototype, 'predict', descriptor) ?? descriptor,
);

const telemetry = await start({ prometheus: { server: false } });
const plain = new Plain();
const instrumented = new Instrumented();

// Alternating blocks: 50 plain calls, then 50 instrumented ones (order
// swapped every pair), 400 pairs; the overhead is the median of the pairs'
// ratios, so machine noise lands on both sides of each ratio alike.
const block = async (fn) => {
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) await fn(input);
  return (performance.now() - t0) / 50;
};
for (let i = 0; i < 400; i++) {
  await block((x) => plain.predict(x));
  await block((x) => instrumented.predict(x));
}
const rounds = [];
const plainUs = [];
const instrumentedUs = [];
for (let i = 0; i < 400; i++) {
  const first = i % 2 === 0;
  const a = await block((x) => (first ? plain : instrumented).predict(x));
  const b = await block((x) => (first ? instrumented : plain).predict(x));
  const p = (first ? a : b) * 1000;
  const q = (first ? b : a) * 1000;
  plainUs.push(p);
  instrumentedUs.push(q);
  rounds.push(q / p - 1);
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const overhead = median(rounds) * 100;
report('onnx', [
  row({
    target: '2 real inference',
    metric: 'iris ONNX batch 1: @Instrument overhead',
    unit: '%',
    ours: overhead,
    goal: '<= 2 %',
    met: overhead <= 2,
    note: `median per call: uninstrumented ${median(plainUs).toFixed(2)} us, instrumented ${median(instrumentedUs).toFixed(2)} us, i.e. ${((median(rounds) * median(plainUs)) * 1000).toFixed(0)} ns a call (400 alternating blocks of 50 calls; the async hot-path row has the same wrapper's cost without the model)`,
  }),
]);
await telemetry.shutdown();
await session.release();
