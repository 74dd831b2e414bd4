// The cost of labelling calls with an MLflow registry binding: `version:
// fraud.version` (the binding's function, one property read) against a
// fixed version string and against a hand-written `version: () => field`,
// the dynamic path core already had. The binding resolves against a small
// loopback server answering GetModelVersionByAlias once.
import { createServer } from 'node:http';
import { instrument } from '@inferometer/core';
import { start } from '@inferometer/node';
import { mlflowModel } from '@inferometer/mlflow';
import { interleavedMedians, report, row } from '../lib.mjs';

const body = JSON.stringify({ model_version: { name: 'fraud', version: '7', run_id: 'r'.repeat(32), source: 's3://models/fraud/7', current_stage: 'None', status: 'READY', aliases: ['champion'] } });
const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const telemetry = await start({ prometheus: { server: false } });
const fraud = await mlflowModel('models:/fraud@champion', { trackingUri: `http://127.0.0.1:${server.address().port}`, env: {}, refreshSeconds: 3600 });

const predict = (x) => x + 1;
const state = { version: '7' };
const fixed = instrument(predict, { model: 'fixed', version: '7' });
const closure = instrument(predict, { model: 'closure', version: () => state.version });
const bound = instrument(predict, { model: fraud.name, version: fraud.version });

let sink = 0;
const m = await interleavedMedians(
  {
    uninstrumented: { batch: 200_000, fn: (i) => { sink += predict(i); } },
    'fixed version': { batch: 50_000, fn: (i) => { sink += fixed(i); } },
    'version: () => field': { batch: 50_000, fn: (i) => { sink += closure(i); } },
    'version: fraud.version': { batch: 50_000, fn: (i) => { sink += bound(i); } },
  },
  { rounds: 200, warmupRounds: 20 },
);
if (sink === 42) console.log('');

const added = (name) => m[name] - m.uninstrumented;
report('mlflow-version', [
  row({
    target: 'mlflow binding',
    metric: 'added cost per call, version from an MLflow binding',
    unit: 'ns',
    ours: added('version: fraud.version'),
    peers: { 'fixed version': added('fixed version'), 'version: () => field': added('version: () => field') },
    goal: 'within 10 % of a hand-written version function',
    met: added('version: fraud.version') <= added('version: () => field') * 1.1,
    note: `uninstrumented call ${m.uninstrumented.toFixed(1)} ns`,
  }),
]);
fraud.close();
server.close();
await telemetry.shutdown();
