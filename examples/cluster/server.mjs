// A node:cluster model server: WORKERS processes answer POST /predict on a
// shared port (PORT, 8080); the primary serves every worker's metrics on
// http://localhost:9464/metrics (OTEL_EXPORTER_PROMETHEUS_PORT).
//
//   npm start
//   curl -s -X POST localhost:8080/predict -d '[5.1,3.5,1.4,0.2]'
//   curl -s localhost:9464/metrics | grep ml_predictions_total
//
// Kill a worker (kill <pid>): the primary forks a replacement and the
// counters keep counting from where they were.
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { instrument } from '@inferometer/core';
import { start } from '@inferometer/node';

const WORKERS = Number(process.env.WORKERS ?? 3);
const PORT = Number(process.env.PORT ?? 8080);

if (cluster.isPrimary) {
  // The pull endpoint (and any push exporter) runs here, once, over the merged points.
  const telemetry = await start({ serviceName: 'cluster-example', handleSignals: true });
  console.log(`metrics of all workers at ${telemetry.metricsUrl}`);
  for (let i = 0; i < WORKERS; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (signal === 'SIGTERM' || code === 0) return;
    console.log(`worker ${worker.process.pid} exited (${signal ?? code}); forking a replacement`);
    cluster.fork();
  });
} else {
  // In a worker start() opens no port: it answers the primary's collections.
  await start({ serviceName: 'cluster-example' });
  // A stand-in model: the longest feature decides the class.
  const predict = instrument(
    (features) => {
      if (!Array.isArray(features) || features.length !== 4) throw new TypeError('expected 4 numbers');
      return features.indexOf(Math.max(...features)) % 3;
    },
    { model: 'iris', version: '1.0.0' },
  );
  createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/predict') {
      response.writeHead(404).end();
      return;
    }
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      try {
        const label = predict(JSON.parse(body));
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ label, pid: process.pid }));
      } catch (err) {
        response.writeHead(400).end(String(err));
      }
    });
  }).listen(PORT);
  console.log(`worker ${process.pid} serving predictions on :${PORT}`);
}
