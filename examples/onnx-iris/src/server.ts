import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { InvalidInputError, type IrisModel } from './model.js';
import { outcomes } from './quality.js';

/** Largest request body accepted, in bytes. */
const MAX_BODY_BYTES = 1 << 20;

/**
 * The prediction API, on its own port (metrics are on another):
 * - `POST /predict` with `{"features": [5.1, 3.5, 1.4, 0.2]}` or
 *   `{"instances": [[...], [...]]}` answers `{"predictions": [{label, probabilities}]}`;
 *   invalid input gets 400 with the reason (and counts as a failed prediction);
 * - `GET /healthz` answers 200 with the model version;
 * - `POST /admin/fault` with `{"ratio": 0.5}` makes that share of predictions
 *   fail (a demo of a failing model; `{"ratio": 0}` heals it);
 * - the answer to `/predict` carries `ids`, one per prediction; `POST
 *   /feedback` with `{"id": "...", "label": "setosa"}` (or `{"outcomes":
 *   [{id, label}, ...]}`) reports the true species later: 202 when joined,
 *   404 for an unknown or expired id, 409 for a second report, 400 for a bad
 *   one (`@inferometer/drift`'s outcome tracker).
 */
export function createPredictionServer(model: IrisModel): Server {
  return createServer((request, response) => {
    void route(model, request, response).catch((err: unknown) => {
      send(response, 500, { error: err instanceof Error ? err.message : String(err) });
    });
  });
}

async function route(model: IrisModel, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (path === '/healthz' && request.method === 'GET') {
    send(response, 200, { status: 'ok', model: 'iris', version: model.version });
    return;
  }
  if (path === '/admin/fault' && request.method === 'POST') {
    const ratio = Number((JSON.parse(await readBody(request)) as { ratio?: unknown }).ratio);
    if (!(ratio >= 0 && ratio <= 1)) {
      send(response, 400, { error: '"ratio" must be a number from 0 to 1' });
      return;
    }
    model.faultRatio = ratio;
    send(response, 200, { faultRatio: ratio });
    return;
  }
  if (path === '/feedback' && request.method === 'POST') {
    await feedback(request, response);
    return;
  }
  if (path !== '/predict') {
    send(response, 404, { error: 'not found: POST /predict, POST /feedback, GET /healthz or POST /admin/fault' });
    return;
  }
  if (request.method !== 'POST') {
    response.setHeader('Allow', 'POST');
    send(response, 405, { error: 'use POST' });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(await readBody(request));
  } catch (err) {
    send(response, 400, { error: `body must be JSON: ${err instanceof Error ? err.message : String(err)}` });
    return;
  }
  const rows = rowsOf(body);
  try {
    const predictions = await model.predict(rows);
    send(response, 200, { model: 'iris', version: model.version, predictions, ids: outcomes.idsOf(predictions) });
  } catch (err) {
    if (err instanceof InvalidInputError) send(response, 400, { error: err.message });
    else throw err;
  }
}

const FEEDBACK_STATUS = { joined: 202, unknown: 404, late: 404, duplicate: 409, invalid: 400 } as const;

/** `POST /feedback`: one outcome or a list; the answer lists what each did. */
async function feedback(request: IncomingMessage, response: ServerResponse): Promise<void> {
  let body: { id?: unknown; label?: unknown; outcomes?: unknown };
  try {
    body = JSON.parse(await readBody(request)) as typeof body;
  } catch (err) {
    send(response, 400, { error: `body must be JSON: ${err instanceof Error ? err.message : String(err)}` });
    return;
  }
  const list = Array.isArray(body?.outcomes) ? (body.outcomes as { id?: unknown; label?: unknown }[]).slice(0, 1024) : [body];
  const results = list.map((o) => outcomes.report((o?.id ?? '') as string, o?.label));
  send(response, list.length === 1 ? FEEDBACK_STATUS[results[0]!] : 200, { results });
}

/** `{features: [...]}` is one row; `{instances: [[...]]}` is a batch; anything else goes to the model to refuse. */
function rowsOf(body: unknown): unknown {
  if (body !== null && typeof body === 'object') {
    if ('instances' in body) return body.instances;
    if ('features' in body) return [body.features];
  }
  return body;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(`${JSON.stringify(body)}\n`);
}
