import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RESOLVE_FAILURE_REASONS, type ResolveFailureReason } from '../catalog.js';
import type { RegistryConfig } from '../config/resolve-config.js';
import type { ModelUri } from '../config/model-uri.js';
import { PACKAGE_NAME, VERSION } from '../version.js';
import { readModelVersion, type MlflowModelVersion } from './model-version.js';

/** Largest answer read: a ModelVersion is about a kilobyte, its tags included. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** First pause before a retry; doubled for each further one. */
export const RETRY_BASE_MS = 500;

/** The REST endpoints (mlflow/mlflow `mlflow/protos/model_registry.proto`, ModelRegistryService, under `/api/2.0`). */
export const ENDPOINTS = {
  /** `getModelVersionByAlias`: GET with `name` and `alias`. */
  byAlias: '/api/2.0/mlflow/registered-models/alias',
  /** `getModelVersion`: GET with `name` and `version`. */
  version: '/api/2.0/mlflow/model-versions/get',
} as const;

/**
 * Answers worth another attempt, as MLflow's own client retries them
 * (mlflow/mlflow `mlflow/utils/request_utils.py`, `_TRANSIENT_FAILURE_RESPONSE_CODES`).
 */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** What one resolution gave. @internal */
export type Resolution =
  | { readonly ok: true; readonly version: MlflowModelVersion }
  | { readonly ok: false; readonly reason: ResolveFailureReason; readonly message: string; readonly status?: number };

type Attempt = Resolution & { readonly transient?: boolean };

/**
 * Asks the registry which version `model` names now: one GET, retried on
 * transient failures (`retries` times, with doubling pauses). Every attempt
 * is bounded: `timeoutMs` for the whole answer, {@link MAX_RESPONSE_BYTES}
 * for its body. Never rejects: a failure is a {@link Resolution} with a
 * reason of {@link RESOLVE_FAILURE_REASONS}.
 *
 * @internal
 */
export async function resolveModelVersion(config: RegistryConfig, model: ModelUri, signal?: AbortSignal): Promise<Resolution> {
  const query = new URLSearchParams(model.alias !== undefined ? { name: model.name, alias: model.alias } : { name: model.name, version: model.version });
  const url = `${config.baseUrl}${model.alias !== undefined ? ENDPOINTS.byAlias : ENDPOINTS.version}?${query.toString()}`;
  let attempt: Attempt = { ok: false, reason: RESOLVE_FAILURE_REASONS.unreachable, message: 'not asked' };
  for (let i = 0; i <= config.retries; i++) {
    if (i > 0) {
      if (!(await pause(RETRY_BASE_MS * 2 ** (i - 1), signal))) break;
    }
    attempt = await getOnce(config, url, model.name);
    if (attempt.ok || attempt.transient !== true || signal?.aborted === true) break;
  }
  if (attempt.ok) return attempt;
  return { ok: false, reason: attempt.reason, message: attempt.message, ...(attempt.status === undefined ? {} : { status: attempt.status }) };
}

function getOnce(config: RegistryConfig, url: string, name: string): Promise<Attempt> {
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    const done = (result: Attempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': `${PACKAGE_NAME}/${VERSION}` };
    if (config.authorization !== undefined) headers.authorization = config.authorization;
    const https = url.startsWith('https:');
    let req: ReturnType<typeof httpRequest>;
    try {
      req = https
        ? httpsRequest(url, { method: 'GET', headers, rejectUnauthorized: config.rejectUnauthorized, ...(config.ca === undefined ? {} : { ca: config.ca }) })
        : httpRequest(url, { method: 'GET', headers });
    } catch (err) {
      resolve({ ok: false, reason: RESOLVE_FAILURE_REASONS.unreachable, message: (err as Error).message });
      return;
    }
    // One deadline for connect, headers and body: a server that drips bytes is cut off too.
    const timer = setTimeout(() => {
      done({ ok: false, reason: RESOLVE_FAILURE_REASONS.timeout, message: `no whole answer within ${config.timeoutMs} ms`, transient: true });
      req.destroy();
    }, config.timeoutMs);
    timer.unref?.();
    req.on('error', (err) => done({ ok: false, reason: RESOLVE_FAILURE_REASONS.unreachable, message: err.message, transient: true }));
    req.on('response', (res) => readBody(res, (outcome) => done(outcome === undefined ? { ok: false, reason: RESOLVE_FAILURE_REASONS.unreachable, message: 'connection closed mid-answer', transient: true } : interpret(res.statusCode ?? 0, outcome, name)), () => req.destroy()));
    req.end();
  });
}

type Body = { readonly text: string } | { readonly tooLarge: true };

/** Reads the body up to the cap; `undefined` when the connection breaks first. */
function readBody(res: IncomingMessage, finish: (body: Body | undefined) => void, abort: () => void): void {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_RESPONSE_BYTES) {
    finish({ tooLarge: true });
    abort();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  res.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      over = true;
      chunks.length = 0;
      finish({ tooLarge: true });
      abort();
      return;
    }
    chunks.push(chunk);
  });
  res.on('end', () => {
    if (!over) finish({ text: Buffer.concat(chunks).toString('utf8') });
  });
  res.on('aborted', () => finish(undefined));
  res.on('error', () => finish(undefined));
  res.on('close', () => {
    if (!res.complete && !over) finish(undefined);
  });
}

/** An answer read whole: what its status and body say. */
function interpret(status: number, body: Body, name: string): Attempt {
  if ('tooLarge' in body) return { ok: false, reason: RESOLVE_FAILURE_REASONS.tooLarge, message: `answer larger than ${MAX_RESPONSE_BYTES} bytes`, status };
  if (status !== 200) {
    const detail = errorDetail(body.text);
    const message = `HTTP ${status}${detail}`;
    if (status === 401 || status === 403) return { ok: false, reason: RESOLVE_FAILURE_REASONS.unauthorized, message, status };
    if (status === 404) return { ok: false, reason: RESOLVE_FAILURE_REASONS.notFound, message, status };
    return { ok: false, reason: RESOLVE_FAILURE_REASONS.httpError, message, status, transient: TRANSIENT_STATUSES.has(status) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.text);
  } catch {
    return { ok: false, reason: RESOLVE_FAILURE_REASONS.invalidResponse, message: 'the answer is not JSON', status };
  }
  const version = readModelVersion(parsed, name);
  if (version === undefined) return { ok: false, reason: RESOLVE_FAILURE_REASONS.invalidResponse, message: 'the answer has no model_version with a whole-number version', status };
  return { ok: true, version };
}

/** MLflow's error body, `{ error_code, message }` (mlflow/mlflow `mlflow/exceptions.py`), cut short for a log line. */
function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    const code = typeof body.error_code === 'string' ? body.error_code.slice(0, 64) : '';
    const message = typeof body.message === 'string' ? body.message.slice(0, 200) : '';
    return code || message ? `: ${[code, message].filter(Boolean).join(' ')}` : '';
  } catch {
    return '';
  }
}

/** Waits `ms` (unref'd); false when `signal` aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    timer.unref?.();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
