import { readFileSync } from 'node:fs';
import { InferometerConfigError } from '@inferometer/core';
import { didYouMean } from '@inferometer/core/internal';
import { describe } from './model-uri.js';
import type { MlflowModelOptions } from './options.js';

/** Everything a binding needs, checked once at start. @internal */
export interface RegistryConfig {
  /** The server's URL without a trailing slash; endpoints are appended to it, as MLflow's client does. */
  readonly baseUrl: string;
  /** The `Authorization` header, if any. */
  readonly authorization: string | undefined;
  /** Whether the server's certificate is verified. */
  readonly rejectUnauthorized: boolean;
  /** CA certificates (PEM) to verify it against, instead of Node's defaults. */
  readonly ca: string | undefined;
  readonly refreshMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly fallbackVersion: string | undefined;
  readonly onChange: MlflowModelOptions['onChange'];
}

/** The environment variables read, as MLflow names them (mlflow/mlflow `mlflow/environment_variables.py`). */
export const ENV = {
  registryUri: 'MLFLOW_REGISTRY_URI',
  trackingUri: 'MLFLOW_TRACKING_URI',
  token: 'MLFLOW_TRACKING_TOKEN',
  username: 'MLFLOW_TRACKING_USERNAME',
  password: 'MLFLOW_TRACKING_PASSWORD',
  insecureTls: 'MLFLOW_TRACKING_INSECURE_TLS',
  serverCertPath: 'MLFLOW_TRACKING_SERVER_CERT_PATH',
  clientCertPath: 'MLFLOW_TRACKING_CLIENT_CERT_PATH',
} as const;

/** Every key of {@link MlflowModelOptions}, in the order the TSDoc lists them. */
const OPTION_KEYS: readonly (keyof MlflowModelOptions)[] = [
  'trackingUri',
  'token',
  'username',
  'password',
  'insecureTls',
  'caCertificate',
  'refreshSeconds',
  'timeoutSeconds',
  'retries',
  'fallbackVersion',
  'onChange',
  'env',
];

export const DEFAULTS = { refreshSeconds: 60, timeoutSeconds: 5, retries: 2 } as const;
export const LIMITS = {
  refreshSeconds: [1, 86_400],
  timeoutSeconds: [0.1, 60],
  retries: [0, 5],
} as const;

const PREFIX = '@inferometer/mlflow:';

/**
 * Reads the options, then MLflow's variables for what the options leave
 * unset, and throws an {@link InferometerConfigError} naming the option or
 * variable on the first value it cannot use.
 *
 * @internal
 */
export function resolveConfig(options: MlflowModelOptions | undefined): RegistryConfig {
  const o = options ?? {};
  if (o === null || typeof o !== 'object') {
    throw new InferometerConfigError('options', `${PREFIX} options must be an object such as { refreshSeconds: 60 }; got ${describe(o)}`, ['an object']);
  }
  for (const key of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      const near = didYouMean(key, OPTION_KEYS);
      throw new InferometerConfigError(key, `${PREFIX} unknown option "${key}";${near === undefined ? '' : ` did you mean "${near}"?`} accepted options: ${OPTION_KEYS.join(', ')}`, OPTION_KEYS, { hint: near, code: 'ERR_INFEROMETER_UNKNOWN_OPTION' });
    }
  }
  const env = o.env ?? (typeof process === 'object' ? process.env : {});
  if (env === null || typeof env !== 'object') {
    throw new InferometerConfigError('env', `${PREFIX} option "env" must be an object of variable names to strings, such as process.env; got ${describe(env)}`, ['an object of strings']);
  }
  const variable = (name: string): string | undefined => {
    const value = env[name];
    // MLflow treats an empty variable as unset (`if host_creds.token:`).
    return typeof value === 'string' && value !== '' ? value : undefined;
  };

  const baseUrl = trackingUrl(o.trackingUri, variable);
  const authorization = authHeader(o, variable);
  const { rejectUnauthorized, ca } = tls(o, variable);
  if (variable(ENV.clientCertPath) !== undefined) {
    throw new InferometerConfigError(ENV.clientCertPath, `${PREFIX} ${ENV.clientCertPath} is set, but client certificates (mutual TLS) are not supported by @inferometer/mlflow; unset it for this process or put the registry behind a token`, ['unset'], { variable: ENV.clientCertPath });
  }
  const fallbackVersion = o.fallbackVersion;
  if (fallbackVersion !== undefined && (typeof fallbackVersion !== 'string' || fallbackVersion.length === 0 || fallbackVersion.length > 128)) {
    throw new InferometerConfigError('fallbackVersion', `${PREFIX} option "fallbackVersion" must be a string of 1 to 128 characters; got ${describe(fallbackVersion)}`, ['a string of 1 to 128 characters']);
  }
  if (o.onChange !== undefined && typeof o.onChange !== 'function') {
    throw new InferometerConfigError('onChange', `${PREFIX} option "onChange" must be a function (next, previous) => void | Promise<void>; got ${describe(o.onChange)}`, ['a function']);
  }
  return {
    baseUrl,
    authorization,
    rejectUnauthorized,
    ca,
    refreshMs: number('refreshSeconds', o.refreshSeconds) * 1000,
    timeoutMs: number('timeoutSeconds', o.timeoutSeconds) * 1000,
    retries: number('retries', o.retries, true),
    fallbackVersion,
    onChange: o.onChange,
  };
}

function trackingUrl(option: string | undefined, variable: (name: string) => string | undefined): string {
  let source: string = ENV.trackingUri;
  let value: unknown = option;
  if (option !== undefined) source = 'trackingUri';
  else if ((value = variable(ENV.registryUri)) !== undefined) source = ENV.registryUri;
  else value = variable(ENV.trackingUri);
  const accepted = ['an http:// or https:// URL of an MLflow tracking server'];
  if (value === undefined) {
    throw new InferometerConfigError(source, `${PREFIX} no registry to ask: set ${ENV.trackingUri} (or option "trackingUri") to the MLflow tracking server, e.g. http://mlflow:5000`, accepted);
  }
  const where = source === 'trackingUri' ? 'option "trackingUri"' : source;
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new InferometerConfigError(source, `${PREFIX} ${where} ${describe(value)} is not a URL; expected e.g. http://mlflow:5000`, accepted);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InferometerConfigError(source, `${PREFIX} ${where} ${describe(value)} is not served over HTTP (${url.protocol} stores such as file:, sqlite: or databricks have no REST API this package can ask); expected an http:// or https:// URL`, accepted);
  }
  if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs and error messages.
    throw new InferometerConfigError(source, `${PREFIX} ${where} carries credentials; give them in ${ENV.username} / ${ENV.password} or ${ENV.token} instead`, ['a URL without user:password@']);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InferometerConfigError(source, `${PREFIX} ${where} has a query or fragment; expected the server's base URL, e.g. http://mlflow:5000`, accepted);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function authHeader(o: MlflowModelOptions, variable: (name: string) => string | undefined): string | undefined {
  const fromOptions = o.token !== undefined || o.username !== undefined || o.password !== undefined;
  const pick = (key: 'token' | 'username' | 'password', name: string): { value: string | undefined; source: string } => {
    if (!fromOptions) return { value: variable(name), source: name };
    const value = o[key];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new InferometerConfigError(key, `${PREFIX} option "${key}" must be a non-empty string; got ${describe(typeof value === 'string' ? '' : value)}`, ['a non-empty string']);
    }
    return { value, source: key };
  };
  const token = pick('token', ENV.token);
  const username = pick('username', ENV.username);
  const password = pick('password', ENV.password);
  if ((username.value === undefined) !== (password.value === undefined)) {
    const missing = username.value === undefined ? username.source : password.source;
    const set = username.value === undefined ? password.source : username.source;
    throw new InferometerConfigError(missing, `${PREFIX} ${set} is set but ${missing} is not: basic authentication needs both`, ['set together with ' + set]);
  }
  for (const part of [token, username, password]) {
    if (part.value !== undefined && /[\r\n\u0000]/.test(part.value)) {
      throw new InferometerConfigError(part.source, `${PREFIX} ${part.source} holds a line break or NUL, which an HTTP header cannot carry`, ['a value without line breaks']);
    }
  }
  if (username.value !== undefined && username.value.includes(':')) {
    // RFC 7617 section 2: the user-id cannot contain a colon.
    throw new InferometerConfigError(username.source, `${PREFIX} ${username.source} contains ':', which basic authentication cannot carry in a user name (RFC 7617)`, ['a user name without ":"']);
  }
  if (username.value !== undefined && password.value !== undefined) {
    return `Basic ${Buffer.from(`${username.value}:${password.value}`, 'utf8').toString('base64')}`;
  }
  return token.value === undefined ? undefined : `Bearer ${token.value}`;
}

function tls(o: MlflowModelOptions, variable: (name: string) => string | undefined): { rejectUnauthorized: boolean; ca: string | undefined } {
  let insecure = false;
  let insecureSource: string = ENV.insecureTls;
  if (o.insecureTls !== undefined) {
    if (typeof o.insecureTls !== 'boolean') {
      throw new InferometerConfigError('insecureTls', `${PREFIX} option "insecureTls" must be true or false; got ${describe(o.insecureTls)}`, ['true', 'false']);
    }
    insecure = o.insecureTls;
    insecureSource = 'insecureTls';
  } else {
    const raw = variable(ENV.insecureTls);
    if (raw !== undefined) {
      // MLflow's _BooleanEnvironmentVariable: these four, any case; anything else is an error.
      const value = raw.toLowerCase();
      if (!['true', 'false', '1', '0'].includes(value)) {
        throw new InferometerConfigError(ENV.insecureTls, `${PREFIX} ${ENV.insecureTls} must be one of true, false, 1, 0 (any case); got ${describe(raw)}`, ['true', 'false', '1', '0'], { variable: ENV.insecureTls });
      }
      insecure = value === 'true' || value === '1';
    }
  }
  let ca: string | undefined;
  let caSource: string = ENV.serverCertPath;
  if (o.caCertificate !== undefined) {
    caSource = 'caCertificate';
    if (typeof o.caCertificate !== 'string' || !o.caCertificate.includes('-----BEGIN CERTIFICATE-----')) {
      throw new InferometerConfigError('caCertificate', `${PREFIX} option "caCertificate" must be PEM text with at least one -----BEGIN CERTIFICATE----- block; got ${describe(o.caCertificate)}`, ['PEM certificate text']);
    }
    ca = o.caCertificate;
  } else {
    const path = variable(ENV.serverCertPath);
    if (path !== undefined) {
      try {
        ca = readFileSync(path, 'utf8');
      } catch (err) {
        throw new InferometerConfigError(ENV.serverCertPath, `${PREFIX} ${ENV.serverCertPath}=${describe(path)} cannot be read: ${(err as Error).message}`, ['the path of a readable PEM file'], { variable: ENV.serverCertPath });
      }
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
        throw new InferometerConfigError(ENV.serverCertPath, `${PREFIX} ${ENV.serverCertPath}=${describe(path)} holds no -----BEGIN CERTIFICATE----- block`, ['the path of a PEM file of CA certificates'], { variable: ENV.serverCertPath });
      }
    }
  }
  if (insecure && ca !== undefined) {
    // MLflow's MlflowHostCreds refuses the same pair: verification off and a CA to verify with.
    throw new InferometerConfigError(insecureSource, `${PREFIX} ${insecureSource} turns certificate verification off while ${caSource} gives a CA to verify with; set only one`, ['false while a CA bundle is set']);
  }
  return { rejectUnauthorized: !insecure, ca };
}

function number(name: keyof typeof LIMITS, value: unknown, whole = false): number {
  if (value === undefined) return DEFAULTS[name];
  const [min, max] = LIMITS[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    const form = `${whole ? 'a whole number' : 'a number'} from ${min} to ${max}`;
    throw new InferometerConfigError(name, `${PREFIX} option "${name}" must be ${form}; got ${describe(value)}`, [form]);
  }
  return value;
}
