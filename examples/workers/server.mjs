// A model server whose inference runs in a piscina pool of THREADS worker
// threads; POST /predict on PORT (8080) hands the features to the pool, and
// the main thread serves every thread's metrics on
// http://localhost:9464/metrics (OTEL_EXPORTER_PROMETHEUS_PORT).
//
//   npm start
//   curl -s -X POST localhost:8080/predict -d '[5.1,3.5,1.4,0.2]'
//   curl -s localhost:9464/metrics | grep ml_predictions_total
//
//   npm run demo    # 1,000 predictions through the pool, then the scrape's total; exits 1 if it is not 1,000
import { createServer } from 'node:http';
import { Piscina } from 'piscina';
import { start } from '@inferometer/node';

const THREADS = Number(process.env.THREADS ?? 4);
const PORT = Number(process.env.PORT ?? 8080);
const demo = process.argv.includes('--demo');

// The pull endpoint (and any push exporter) runs here, once, over the merged points of every thread.
const telemetry = await start({
  serviceName: 'workers-example',
  handleSignals: !demo,
  ...(demo ? { prometheus: { host: '127.0.0.1', port: 0 } } : {}),
});
console.log(`metrics of all threads at ${telemetry.metricsUrl}`);

const pool = new Piscina({
  filename: new URL('./model.mjs', import.meta.url).href,
  minThreads: THREADS,
  maxThreads: THREADS,
  // piscina's default ('sync') pauses an idle thread's event loop between
  // tasks: such a thread could not answer the main thread's collections.
  atomics: 'disabled',
});

if (demo) {
  const calls = 1_000;
  const inputs = Array.from({ length: calls }, (_, i) => [5.1 + (i % 7), 3.5, 1.4, 0.2]);
  await Promise.all(inputs.map((features) => pool.run(features)));
  const text = await (await fetch(telemetry.metricsUrl)).text();
  let total = 0;
  for (const line of text.split('\n')) if (line.startsWith('ml_predictions_total{')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  const threads = /inferometer_cluster_workers\{[^}]*state="reporting"[^}]*\} (\d+)/.exec(text)?.[1];
  console.log(`${calls} predictions in ${threads ?? '?'} threads; ml_predictions_total = ${total}`);
  await pool.destroy();
  await telemetry.shutdown();
  process.exit(total === calls ? 0 : 1);
}

createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/predict') {
    response.writeHead(404).end();
    return;
  }
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    let features;
    try {
      features = JSON.parse(body);
    } catch (err) {
      response.writeHead(400).end(String(err));
      return;
    }
    pool.run(features).then(
      (label) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ label })),
      (err) => response.writeHead(400).end(String(err)),
    );
  });
}).listen(PORT);
console.log(`serving predictions on :${PORT} with ${THREADS} threads`);
