// A scoring service bound to an MLflow Model Registry alias. MODEL_URI
// (default models:/fraud@champion) is resolved against MLFLOW_TRACKING_URI
// (with MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/_PASSWORD if the
// server asks for them) at start and every REFRESH_SECONDS (default 60).
// When the alias moves, onChange "loads" the new version (a real service
// would fetch next.source here), then the metrics carry the new
// model_version; ml_model_registry_info gives its run id and source.
// start() serves the metrics on :9464/metrics (OTEL_EXPORTER_PROMETHEUS_PORT).
import { createServer } from 'node:http';
import { instrument, InferometerConfigError } from '@inferometer/core';
import { mlflowModel, MlflowResolveError } from '@inferometer/mlflow';
import { start } from '@inferometer/node';

const uri = process.env.MODEL_URI ?? 'models:/fraud@champion';
const port = Number(process.env.PORT ?? 8080);
const telemetry = await start();

/** The loaded model: a threshold standing in for real weights. */
let loaded;
let fraud;
try {
  fraud = await mlflowModel(uri, {
    refreshSeconds: Number(process.env.REFRESH_SECONDS ?? 60),
    onChange: async (next, previous) => {
      // A real service loads next.source (an artifact URI) here; until this
      // resolves, calls keep the previous version's label.
      loaded = { version: next.version, threshold: 500 + 100 * Number(next.version) };
      console.log(`${uri}: serving version ${next.version} (run ${next.runId || '-'}, ${next.source})${previous ? `, was ${previous.version}` : ''}`);
    },
  });
} catch (err) {
  if (err instanceof InferometerConfigError) console.error(`fix ${err.option}: ${err.message}`);
  else if (err instanceof MlflowResolveError) console.error(`cannot resolve ${err.uri} (${err.reason}): ${err.message}`);
  else console.error(err);
  await telemetry.shutdown();
  process.exit(78); // EX_CONFIG
}

const score = instrument((amount) => ({ fraud: amount > loaded.threshold ? 0.9 : 0.1, version: loaded.version }), {
  model: fraud.name,
  version: fraud.version,
  confidence: (result) => result.fraud,
});

async function readJson(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const server = createServer(async (request, response) => {
  if (request.method !== 'POST' || request.url !== '/score') {
    response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'only POST /score' }));
    return;
  }
  let body;
  try {
    body = await readJson(request);
  } catch {
    response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'body is not JSON' }));
    return;
  }
  const result = score(Number(body.amount));
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
});
server.listen(port, () => console.log(`scoring on :${server.address().port}, ${uri} -> version ${fraud.version()}, metrics at ${telemetry.metricsUrl ?? '(no pull endpoint)'}`));
// SIGTERM and SIGINT: start() flushes the metrics and ends the process.
