/**
 * A stand-in for the MLflow Model Registry's REST API, on node:http and
 * loopback: no MLflow server can be had on this machine (it is a Python
 * package; only npm and Debian registries are reachable), so the two
 * endpoints this package calls are served from MLflow's own definitions.
 *
 * Every JSON body it sends is checked against the messages restated in
 * `mlflow-rest/model_registry_subset.proto` (see its README for the commit):
 * protobufjs builds the Response message from the object and converts it
 * back; a field that the message lacks, or a value of the wrong type, makes
 * the round trip differ and is recorded in {@link Standin.schemaErrors},
 * which the tests assert is empty. Error bodies and statuses follow
 * MLflow's `MlflowException` (`{error_code, message}`, 404 for
 * `RESOURCE_DOES_NOT_EXIST`, 400 for `INVALID_PARAMETER_VALUE`), and
 * failed authentication MLflow's basic-auth app (401 with
 * `WWW-Authenticate: Basic realm="mlflow"`).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO = fileURLToPath(new URL('./mlflow-rest/model_registry_subset.proto', import.meta.url));
// keepCase: MLflow's JSON uses the proto field names as written (snake_case).
const parsed = protobuf.parse(readFileSync(PROTO, 'utf8'), { keepCase: true }).root;
parsed.resolveAll();

/** The Response types of the two endpoints, from the restated definitions. */
export const RESPONSE_TYPES = {
  byAlias: parsed.lookupType('mlflow.GetModelVersionByAlias.Response'),
  version: parsed.lookupType('mlflow.GetModelVersion.Response'),
} as const;

/**
 * Why `body` is not the JSON form of `type` (undefined when it is): built
 * into the message and read back (int64 as numbers, enums by name, unset
 * fields left out), it must come back the same. An unknown field is dropped,
 * a number in a string field becomes a string, an unknown enum name is lost.
 */
export function schemaProblem(type: protobuf.Type, body: unknown): string | undefined {
  let back: unknown;
  try {
    back = type.toObject(type.fromObject(body as Record<string, unknown>), { longs: Number, enums: String, defaults: false });
  } catch (err) {
    return `${type.fullName}: ${(err as Error).message}`;
  }
  const same = isDeepStrictEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(body)));
  return same ? undefined : `${type.fullName}: ${JSON.stringify(body)} became ${JSON.stringify(back)}`;
}

/** One version in the stand-in's registry, with the fields MLflow stores. */
export interface StandinVersion {
  run_id?: string;
  source?: string;
  current_stage?: string;
  status?: 'READY' | 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION';
  description?: string;
  tags?: { key: string; value: string }[];
}

/** One request the stand-in saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: IncomingHttpHeaders;
}

/** Takes over a request (hostile answers); return true when it answered. */
export type Override = (req: IncomingMessage, res: ServerResponse, socket: Socket) => boolean;

export interface StandinOptions {
  /** Require `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Require `Authorization: Basic base64(user:password)`. */
  readonly basic?: { readonly username: string; readonly password: string };
  /** A path prefix the server lives under (a proxy in front of MLflow). */
  readonly prefix?: string;
  /** Serve HTTPS with this key and certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface Standin {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Bodies that did not survive the round trip through the message types. */
  readonly schemaErrors: string[];
  /** Registers a new version of `name` (creating the model), as CreateModelVersion would; returns its number. */
  createVersion(name: string, fields?: StandinVersion): string;
  /** Points `alias` of `name` at `version`, as SetRegisteredModelAlias would. */
  setAlias(name: string, alias: string, version: string): void;
  /** Deletes `alias` of `name`, as DeleteRegisteredModelAlias would. */
  deleteAlias(name: string, alias: string): void;
  /** Hostile behaviour for the next requests (until set to undefined). */
  override: Override | undefined;
  /** Requests to the two endpoints answered so far (any status). */
  readonly answered: number;
  /** Resolves once `answered` reaches `count`. */
  waitForAnswers(count: number): Promise<void>;
  stop(): Promise<void>;
}

interface Model {
  readonly versions: Map<string, StandinVersion & { readonly created: number }>;
  readonly aliases: Map<string, string>;
}

export async function startRegistryStandin(options: StandinOptions = {}): Promise<Standin> {
  const models = new Map<string, Model>();
  const requests: SeenRequest[] = [];
  const schemaErrors: string[] = [];
  const sockets = new Set<Socket>();
  const prefix = options.prefix ?? '';
  let answered = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const counted = (): void => {
    answered++;
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]!;
      if (answered < waiter.count) continue;
      waiters.splice(i, 1);
      waiter.resolve();
    }
  };

  const modelVersionJson = (name: string, version: string): Record<string, unknown> => {
    const model = models.get(name)!;
    const record = model.versions.get(version)!;
    const aliases = [...model.aliases].filter(([, v]) => v === version).map(([alias]) => alias);
    // Unset proto2 fields and empty repeated fields are left out, as protobuf's MessageToJson does.
    const json: Record<string, unknown> = {
      name,
      version,
      creation_timestamp: record.created,
      last_updated_timestamp: record.created,
      current_stage: record.current_stage ?? 'None',
      description: record.description ?? '',
      source: record.source ?? `models:/m-${version.padStart(32, '0')}`,
      status: record.status ?? 'READY',
    };
    if (record.run_id !== undefined) json.run_id = record.run_id;
    if (record.tags !== undefined && record.tags.length > 0) json.tags = record.tags;
    if (aliases.length > 0) json.aliases = aliases;
    return json;
  };

  const send = (res: ServerResponse, status: number, body: Record<string, unknown>, type?: protobuf.Type): void => {
    const problem = type === undefined ? undefined : schemaProblem(type, body);
    if (problem !== undefined) schemaErrors.push(problem);
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, code: string, message: string): void => send(res, status, { error_code: code, message });

  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization;
    if (options.token !== undefined) return header === `Bearer ${options.token}`;
    if (options.basic !== undefined) return header === `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64')}`;
    return true;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? '', path: url.pathname, query, headers: req.headers });
    const endpoint = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '';
    if (endpoint !== '/api/2.0/mlflow/registered-models/alias' && endpoint !== '/api/2.0/mlflow/model-versions/get') {
      error(res, 404, 'ENDPOINT_NOT_FOUND', `No API found for path ${url.pathname}`);
      return;
    }
    res.on('close', counted);
    if (override?.(req, res, req.socket) === true) return;
    if (req.method !== 'GET') return error(res, 405, 'BAD_REQUEST', `method ${req.method} not allowed`);
    if (!authorized(req)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="mlflow"', 'content-type': 'text/plain' });
      res.end('You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.');
      return;
    }
    const name = query.name;
    if (name === undefined || name === '') return error(res, 400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'name'.");
    const model = models.get(name);
    if (endpoint === '/api/2.0/mlflow/registered-models/alias') {
      const alias = query.alias;
      if (alias === undefined || alias === '') return error(res, 400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'alias'.");
      if (model === undefined) return error(res, 404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
      const version = model.aliases.get(alias);
      if (version === undefined) return error(res, 404, 'RESOURCE_DOES_NOT_EXIST', `Registered model alias ${alias} not found.`);
      return send(res, 200, { model_version: modelVersionJson(name, version) }, RESPONSE_TYPES.byAlias);
    }
    const version = query.version;
    if (version === undefined || version === '') return error(res, 400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'version'.");
    if (!/^\d+$/.test(version)) return error(res, 400, 'INVALID_PARAMETER_VALUE', `Parameter 'version' must be an integer, got '${version}'.`);
    if (model === undefined || !model.versions.has(String(Number(version)))) return error(res, 404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=${version}) not found`);
    return send(res, 200, { model_version: modelVersionJson(name, String(Number(version))) }, RESPONSE_TYPES.version);
  };

  let override: Override | undefined;
  const server: Server = options.tls === undefined ? createServer(handle) : createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handle);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}${prefix}`,
    requests,
    schemaErrors,
    get override() {
      return override;
    },
    set override(value: Override | undefined) {
      override = value;
    },
    get answered() {
      return answered;
    },
    waitForAnswers(count: number) {
      if (answered >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    createVersion(name, fields = {}) {
      let model = models.get(name);
      if (model === undefined) models.set(name, (model = { versions: new Map(), aliases: new Map() }));
      const version = String(model.versions.size + 1);
      model.versions.set(version, { ...fields, created: 1_760_000_000_000 + model.versions.size });
      return version;
    },
    setAlias(name, alias, version) {
      const model = models.get(name);
      if (model === undefined || !model.versions.has(version)) throw new Error(`no version ${version} of ${name}`);
      model.aliases.set(alias, version);
    },
    deleteAlias(name, alias) {
      models.get(name)?.aliases.delete(alias);
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
