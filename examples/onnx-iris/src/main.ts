/**
 * The demo: the iris model behind an HTTP prediction API, instrumented with
 * `@Instrument` and `@inferometer/onnxruntime`, watched for drift against the
 * reference profile built from its training data, with live metrics on the
 * Prometheus pull endpoint.
 *
 *   npm start                   # from the repo root: build, serve, drive demo traffic
 *   npm start -- --no-traffic   # serve only
 *   npm start -- --drift        # the traffic's petal_length moves up 1.5 cm: watch ml_data_drift_score
 *   npm start -- --drift --drift-after 60 --drift-window 30s
 *
 * Drift flags: --drift (shift petal_length in the demo traffic), --drift-after
 * <seconds> (when the shift starts, default 0), --drift-shift <cm> (default
 * 1.5), --drift-window <rows | Ns | Nm> (the monitor's window, default 1m),
 * --drift-min-rows <n> (rows before scores are reported, default 300: PSI
 * over 10 bins on fewer rows is mostly sampling noise), --reference <path>
 * (the profile, default model/iris-reference.json).
 *
 * Ground truth: the traffic reports the true species of a share of its
 * predictions after a delay (POST /feedback): --feedback-share <0..1>
 * (default 0.5; 0 turns it off), --feedback-delay <seconds> (default 2).
 * --concept-drift: from --concept-drift-after <seconds> (default 0) the true
 * label of versicolor is virginica; the inputs do not change, so data drift
 * stays quiet while realised accuracy falls (ModelAccuracyBelowReference).
 * --drift is the input-drift mode: petal_length moves, the drift scores and
 * the data-quality counts (out_of_range) rise.
 *
 * Environment: PORT (prediction API, default 8000), HOST (default 0.0.0.0),
 * IRIS_FAULT_RATIO (share of predictions that fail on purpose, default 0),
 * and the OTEL_* variables of @inferometer/node (metrics on 9464 by default).
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { combineObservers, dataQualityMonitor, driftMonitor, type TensorLike, type WindowOptions } from '@inferometer/drift';
import { start } from '@inferometer/node';
import { CLASSES, IrisModel } from './model.js';
import { createPredictionServer } from './server.js';
import { loadTrainingRows, speciesOf } from './training-data.js';
import { startTraffic, type TrafficDrift } from './traffic.js';

const modelDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'model');
/** What the iris session's run() resolves to. */
type IrisOutputs = { readonly label: TensorLike; readonly probabilities: TensorLike };
/** The feature `--drift` shifts: petal_length, column 2. */
const DRIFT_FEATURE = 2;

const { values } = parseArgs({
  options: {
    traffic: { type: 'boolean', default: true },
    'no-traffic': { type: 'boolean', default: false },
    rate: { type: 'string', default: '10' },
    model: { type: 'string', default: join(modelDir, 'iris.onnx') },
    reference: { type: 'string', default: join(modelDir, 'iris-reference.json') },
    training: { type: 'string', default: join(modelDir, 'iris-train.csv') },
    drift: { type: 'boolean', default: false },
    'drift-after': { type: 'string', default: '0' },
    'drift-shift': { type: 'string', default: '1.5' },
    'drift-window': { type: 'string', default: '1m' },
    'drift-min-rows': { type: 'string', default: '300' },
    'feedback-share': { type: 'string', default: '0.5' },
    'feedback-delay': { type: 'string', default: '2' },
    'concept-drift': { type: 'boolean', default: false },
    'concept-drift-after': { type: 'string', default: '0' },
  },
});
const feedbackShare = Number(values['feedback-share']);
if (!(feedbackShare >= 0 && feedbackShare <= 1)) {
  console.error(`--feedback-share must be a number from 0 to 1; got ${values['feedback-share']}`);
  process.exit(2);
}
const feedbackDelay = Number(values['feedback-delay']);
const conceptAfter = Number(values['concept-drift-after']);
if (!(feedbackDelay >= 0 && feedbackDelay <= 3600) || !(conceptAfter >= 0)) {
  console.error(`--feedback-delay must be seconds from 0 to 3600 and --concept-drift-after seconds >= 0; got ${values['feedback-delay']}, ${values['concept-drift-after']}`);
  process.exit(2);
}
const driftAfter = Number(values['drift-after']);
if (!Number.isFinite(driftAfter) || driftAfter < 0) {
  console.error(`--drift-after must be a number of seconds >= 0; got ${values['drift-after']}`);
  process.exit(2);
}
const driftShift = Number(values['drift-shift']);
if (!Number.isFinite(driftShift) || Math.abs(driftShift) > 10) {
  console.error(`--drift-shift must be a number of cm from -10 to 10; got ${values['drift-shift']}`);
  process.exit(2);
}
const driftMinRows = Number(values['drift-min-rows']);
if (!Number.isInteger(driftMinRows) || driftMinRows < 1) {
  console.error(`--drift-min-rows must be a whole number of rows >= 1; got ${values['drift-min-rows']}`);
  process.exit(2);
}
const driftWindow = parseWindow(values['drift-window']);
if (driftWindow === undefined) {
  console.error(`--drift-window must be a number of rows (e.g. 1000) or a duration (e.g. 30s, 5m); got ${values['drift-window']}`);
  process.exit(2);
}
const rate = Number(values.rate);
if (!Number.isFinite(rate) || rate <= 0 || rate > 1000) {
  console.error(`--rate must be a number of requests per second from 0 to 1000; got ${values.rate}`);
  process.exit(2);
}
const port = Number(process.env.PORT ?? 8000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a whole number from 0 to 65535; got ${process.env.PORT}`);
  process.exit(2);
}

const telemetry = await start({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'iris-demo' });
// Drift of the session's input tensor (read as it is, no copy) and of its
// outputs, against the profile `inferometer-profile` built from the training CSV.
const reference = JSON.parse(await readRequired(values.reference, 'reference profile')) as Readonly<Record<string, unknown>>;
const drift = driftMonitor({
  reference,
  features: (feeds: { float_input: TensorLike }) => feeds.float_input,
  predictions: {
    class: (outputs: IrisOutputs) => outputs.label,
    classNames: CLASSES,
    confidence: (outputs: IrisOutputs) => outputs.probabilities,
  },
  window: driftWindow,
  minRows: 'count' in driftWindow ? Math.min(driftMinRows, driftWindow.count) : driftMinRows,
});
// Data quality of the same tensor against the same profile: values outside
// the training range, missing or of the wrong type, per feature.
const quality = dataQualityMonitor({ reference, features: (feeds: { float_input: TensorLike }) => feeds.float_input });
const model = await IrisModel.load(values.model, { drift: combineObservers(drift, quality) });
const faultRatio = Number(process.env.IRIS_FAULT_RATIO ?? 0);
if (!(faultRatio >= 0 && faultRatio <= 1)) {
  console.error(`IRIS_FAULT_RATIO must be a number from 0 to 1; got ${process.env.IRIS_FAULT_RATIO}`);
  process.exit(2);
}
model.faultRatio = faultRatio;
const server = createPredictionServer(model);
await new Promise<void>((resolve) => server.listen(port, process.env.HOST ?? '0.0.0.0', resolve));
const apiPort = (server.address() as AddressInfo).port;
const predictUrl = `http://localhost:${apiPort}/predict`;
const trafficOn = values.traffic && !values['no-traffic'];
const trafficDrift: TrafficDrift | undefined = values.drift
  ? {
      feature: DRIFT_FEATURE,
      shift: driftShift,
      afterMillis: driftAfter * 1000,
      onStart: (at) => console.log(`drift: petal_length shifted by ${driftShift} cm from ${at}`),
    }
  : undefined;
const trainingRows = trafficOn ? await loadTrainingRows(values.training) : [];
const stopTraffic = trafficOn
  ? startTraffic(predictUrl, {
      rate,
      errorRatio: 0.05,
      rows: trainingRows,
      ...(trafficDrift && { drift: trafficDrift }),
      ...(feedbackShare > 0 && {
        feedback: {
          species: speciesOf(trainingRows),
          share: feedbackShare,
          delayMillis: feedbackDelay * 1000,
          ...(values['concept-drift'] && {
            flip: { from: 'versicolor', to: 'virginica', afterMillis: conceptAfter * 1000, onStart: (at: number) => console.log(`concept drift: versicolor is labelled virginica from ${at}`) },
          }),
        },
      }),
    })
  : undefined;

console.log(`iris model ${model.version} serving predictions at ${predictUrl}`);
console.log(`metrics at ${telemetry.metricsUrl ?? '(no pull endpoint: OTEL_METRICS_EXPORTER has no prometheus)'}`);
if (telemetry.healthPageUrl) console.log(`model health page at ${telemetry.healthPageUrl} (open it in a browser)`);
console.log(`try: curl -s -X POST ${predictUrl} -H 'content-type: application/json' -d '{"features":[5.1,3.5,1.4,0.2]}'`);
if (telemetry.metricsUrl) console.log(`     curl -s ${telemetry.metricsUrl} | grep ^ml_`);
console.log(stopTraffic ? `demo traffic: ${rate} requests/s, 5 % invalid (--no-traffic to turn off)` : 'demo traffic off');
console.log(
  values.drift && stopTraffic
    ? `drift: petal_length + ${driftShift} cm after ${driftAfter} s; watch ml_data_drift_score{feature="petal_length"} (window ${values['drift-window']})`
    : `drift scores over a ${values['drift-window']} window: ml_data_drift_score, ml_prediction_drift_score (--drift shifts the traffic)`,
);
console.log(
  stopTraffic && feedbackShare > 0
    ? `ground truth: ${feedbackShare * 100} % of predictions get their species after ${feedbackDelay} s (POST /feedback)${values['concept-drift'] ? `; concept drift after ${conceptAfter} s: versicolor labelled virginica` : ''}`
    : 'ground truth: off (--feedback-share 0 or no traffic); POST /feedback {"id", "label"} reports one',
);
console.log(`ready api=${apiPort} metrics=${telemetry.metricsUrl ? new URL(telemetry.metricsUrl).port : ''}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    stopTraffic?.();
    server.close();
    server.closeAllConnections();
    // Flush metrics last, after the final predictions were recorded.
    void Promise.all([telemetry.shutdown(), model.release()]).finally(() => process.exit(0));
  });
}

/** `1000` (rows), `30s`, `5m` or `1h` (a time window). */
function parseWindow(text: string): WindowOptions | undefined {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (match === null) return undefined;
  const n = Number(match[1]);
  if (match[2] === undefined) return Number.isInteger(n) ? { count: n } : undefined;
  return { seconds: n * (match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1) };
}

async function readRequired(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    console.error(`${what} not found at ${path}; build the demo first: npm run build -w @inferometer/example-onnx-iris`);
    process.exit(2);
  }
}
