/**
 * The demo: the iris model behind an HTTP prediction API, instrumented with
 * `@Instrument`, with live metrics on the Prometheus pull endpoint.
 *
 *   npm start                   # from the repo root: build, serve, drive demo traffic
 *   npm start -- --no-traffic   # serve only
 *
 * Environment: PORT (prediction API, default 8000), HOST (default 0.0.0.0),
 * IRIS_FAULT_RATIO (share of predictions that fail on purpose, default 0),
 * and the OTEL_* variables of @inferometer/node (metrics on 9464 by default).
 */
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { start } from '@inferometer/node';
import { IrisModel } from './model.js';
import { createPredictionServer } from './server.js';
import { startTraffic } from './traffic.js';

const { values } = parseArgs({
  options: {
    traffic: { type: 'boolean', default: true },
    'no-traffic': { type: 'boolean', default: false },
    rate: { type: 'string', default: '10' },
    model: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'model', 'iris.onnx') },
  },
});
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
const model = await IrisModel.load(values.model);
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
const stopTraffic = values.traffic && !values['no-traffic'] ? startTraffic(predictUrl, { rate, errorRatio: 0.05 }) : undefined;

console.log(`iris model ${model.version} serving predictions at ${predictUrl}`);
console.log(`metrics at ${telemetry.metricsUrl ?? '(no pull endpoint: OTEL_METRICS_EXPORTER has no prometheus)'}`);
console.log(`try: curl -s -X POST ${predictUrl} -H 'content-type: application/json' -d '{"features":[5.1,3.5,1.4,0.2]}'`);
if (telemetry.metricsUrl) console.log(`     curl -s ${telemetry.metricsUrl} | grep ^ml_`);
console.log(stopTraffic ? `demo traffic: ${rate} requests/s, 5 % invalid (--no-traffic to turn off)` : 'demo traffic off');
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
