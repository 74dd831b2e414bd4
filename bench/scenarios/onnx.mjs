// Target 2: the iris ONNX model (batch 1) instrumented with @Instrument runs
// within 3 % of the same model uninstrumented. Both run in this process, in
// alternating rounds, and the overhead is the median of the per-round ratios
// so that drift in machine load hits both sides alike.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Instrument } from '@inferometer/core';
import { start } from '@inferometer/node';
import { asyncMedians, report, row } from '../lib.mjs';

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
// experimentalDecorators (plain JavaScript has no decorator syntax on Node 20).
const descriptor = Object.getOwnPropertyDescriptor(Instrumented.prototype, 'predict');
Object.defineProperty(
  Instrumented.prototype,
  'predict',
  Instrument({ model: 'iris', version: '1.0.0', batchSize: (t) => t.dims[0], confidence: (p) => p })(Instrumented.prototype, 'predict', descriptor) ?? descriptor,
);

const telemetry = await start({ prometheus: { server: false } });
const plain = new Plain();
const instrumented = new Instrumented();

const rounds = [];
let plainUs = [];
let instrumentedUs = [];
for (let round = 0; round < 7; round++) {
  const m = await asyncMedians(
    round % 2 === 0
      ? { plain: () => plain.predict(input), instrumented: () => instrumented.predict(input) }
      : { instrumented: () => instrumented.predict(input), plain: () => plain.predict(input) },
    { time: 700, warmupTime: 200 },
  );
  plainUs.push(m.plain / 1000);
  instrumentedUs.push(m.instrumented / 1000);
  rounds.push(m.instrumented / m.plain - 1);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const overhead = median(rounds) * 100;
report('onnx', [
  row({
    target: '2 real inference',
    metric: 'iris ONNX batch 1: @Instrument overhead',
    unit: '%',
    ours: overhead,
    goal: '<= 3 %',
    met: overhead <= 3,
    note: `median per call: uninstrumented ${median(plainUs).toFixed(2)} us, instrumented ${median(instrumentedUs).toFixed(2)} us; per-round overheads ${rounds.map((r) => (r * 100).toFixed(1)).join(', ')} %`,
  }),
]);
await telemetry.shutdown();
await session.release();
