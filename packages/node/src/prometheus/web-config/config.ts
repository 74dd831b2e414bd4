/**
 * The web configuration file of Prometheus' exporter-toolkit
 * (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md),
 * the file node_exporter reads with `--web.config.file`: TLS, mutual TLS,
 * response headers and bcrypt basic auth for the pull endpoint's own server.
 * Operators already write it for every exporter; the pull endpoint accepts
 * the same YAML. Everything is read and checked once, at start: a missing
 * file, a key or value this server does not support, a certificate or key
 * that does not load, all fail with a ConfigurationError naming the option
 * or variable and the key in the file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { clip } from '@inferometer/exporter-remote-write/internal';
import { parseDocument } from 'yaml';
import { ConfigurationError, describeSource, type ConfigurationSource } from '../../config/env.js';

/** Largest web configuration file read, in bytes: a few users and paths fit in a few KiB. */
export const MAX_WEB_CONFIG_BYTES = 1024 * 1024;
/** Most users in `basic_auth_users` (exporter-toolkit: "meant for simple use cases, with a few users"). */
export const MAX_BASIC_AUTH_USERS = 1000;

/** `client_auth_type` values, Go's `tls.ClientAuthType` names (https://pkg.go.dev/crypto/tls#ClientAuthType). */
export const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/**
 * `min_version` / `max_version`. TLS 1.0 and 1.1 are refused: RFC 8996
 * deprecates them and Node's OpenSSL 3 refuses them at its default security level.
 */
const TLS_VERSIONS = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;

/**
 * `cipher_suites`: Go's names (https://pkg.go.dev/crypto/tls#CipherSuites,
 * the secure TLS 1.2 suites) to OpenSSL's. Like Go, they apply to TLS 1.2
 * only; TLS 1.3 suites are not configurable.
 */
const CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
};
/** OpenSSL's TLS 1.3 suites, kept whatever `cipher_suites` says (Go does not let them be configured either). */
const TLS13_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

/** `curve_preferences`: Go's `tls.CurveID` names to OpenSSL's. */
const CURVES: Readonly<Record<string, string>> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

/**
 * `http_server_config.headers`: the headers exporter-toolkit lets a file set,
 * with the values it accepts (`undefined`: any non-empty value).
 */
const HEADERS: Readonly<Record<string, readonly string[] | undefined>> = {
  'Content-Security-Policy': undefined,
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-Content-Type-Options': ['nosniff'],
  'X-XSS-Protection': undefined,
  'Strict-Transport-Security': undefined,
};

/** A bcrypt hash as htpasswd and bcrypt libraries write it: `$2a$`, `$2b$` or `$2y$`, a cost, 53 characters of salt and hash. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/** What the file's `tls_server_config` becomes: options of `https.createServer`, and the checks Node has no option for. */
export interface WebTlsConfig {
  readonly options: SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean };
  readonly clientAuthType: ClientAuthType;
  /** `client_allowed_sans`: a client certificate must carry one of these SANs. */
  readonly allowedSans: readonly string[] | undefined;
}

/** A checked web configuration file. */
export interface WebConfig {
  /** The file, as given (for messages). */
  readonly path: string;
  readonly tls: WebTlsConfig | undefined;
  /** `http_server_config.headers`, set on every response of the server. */
  readonly headers: Readonly<Record<string, string>>;
  /** `basic_auth_users`: user name to bcrypt hash; empty: no basic auth. */
  readonly users: ReadonlyMap<string, string>;
}

const ACCEPTED =
  "exporter-toolkit's web configuration YAML (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md) with " +
  'tls_server_config (cert_file/cert, key_file/key, client_ca_file/client_ca, client_auth_type, client_allowed_sans, min_version, max_version, cipher_suites, ' +
  'prefer_server_cipher_suites, curve_preferences), http_server_config (http2, headers) and basic_auth_users (user: bcrypt hash)';

/**
 * Reads and checks the web configuration file at `path` (relative paths in
 * it are relative to the file, as in exporter-toolkit). Throws a
 * {@link ConfigurationError} blaming `source` (the option or variable that
 * named the file) and, in the message and `related`, the key in the file.
 */
export function loadWebConfig(path: string, source: ConfigurationSource): WebConfig {
  const fail = (key: string | undefined, problem: string, accepted = ACCEPTED, cause?: unknown): ConfigurationError =>
    new ConfigurationError(`${describeSource(source)}=${JSON.stringify(clip(path))}: ${key === undefined ? '' : `${key}: `}${problem}; accepted: ${accepted}`, {
      ...source,
      accepted,
      related: key === undefined ? [] : [key],
      cause,
    });
  if (typeof path !== 'string' || path.trim() === '') throw fail(undefined, 'is not a file path');
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_WEB_CONFIG_BYTES) throw fail(undefined, `is ${bytes.length} bytes, more than ${MAX_WEB_CONFIG_BYTES}`);
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof ConfigurationError) throw err;
    throw fail(undefined, `cannot be read (${errorText(err)})`, 'a readable file', err);
  }
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) throw fail(undefined, `is not valid YAML (${clip(document.errors[0]!.message, 200)})`, ACCEPTED, document.errors[0]);
  const root: unknown = document.toJS({ maxAliasCount: 100 });
  const base = dirname(resolve(path));
  if (root === null || root === undefined) return { path, tls: undefined, headers: {}, users: new Map() };
  const top = mapping(root, undefined, ['tls_server_config', 'http_server_config', 'basic_auth_users'], fail);

  const tls = top.tls_server_config === undefined || top.tls_server_config === null ? undefined : readTls(top.tls_server_config, base, fail);

  const headers: Record<string, string> = {};
  if (top.http_server_config !== undefined && top.http_server_config !== null) {
    const http = mapping(top.http_server_config, 'http_server_config', ['http2', 'headers'], fail);
    // HTTP/2 is negotiated by ALPN; this server offers HTTP/1.1, which every
    // scraper speaks. Either value is accepted so that shared files load.
    if (http.http2 !== undefined && typeof http.http2 !== 'boolean') throw fail('http_server_config.http2', 'is not a boolean', 'true or false');
    if (http.headers !== undefined && http.headers !== null) {
      const given = mapping(http.headers, 'http_server_config.headers', Object.keys(HEADERS), fail);
      for (const [name, value] of Object.entries(given)) {
        const key = `http_server_config.headers.${name}`;
        if (value === undefined || value === null || value === '') continue;
        if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw fail(key, 'is not a one-line string', 'a header value on one line');
        const allowed = HEADERS[name];
        if (allowed !== undefined && !allowed.includes(value.toLowerCase())) throw fail(key, `${JSON.stringify(clip(value))} is not supported`, allowed.join(', '));
        headers[name] = value;
      }
    }
  }

  const users = new Map<string, string>();
  if (top.basic_auth_users !== undefined && top.basic_auth_users !== null) {
    const given = top.basic_auth_users;
    if (typeof given !== 'object' || Array.isArray(given)) throw fail('basic_auth_users', 'is not a mapping of user names to bcrypt hashes');
    const entries = Object.entries(given as Record<string, unknown>);
    if (entries.length > MAX_BASIC_AUTH_USERS) throw fail('basic_auth_users', `lists ${entries.length} users`, `at most ${MAX_BASIC_AUTH_USERS} users`);
    for (const [user, hash] of entries) {
      const key = `basic_auth_users.${user}`;
      // RFC 7617 section 2: the user-id cannot contain a colon.
      if (user === '' || user.includes(':') || /[\x00-\x1f\x7f]/.test(user)) throw fail(key, 'is not a user name', 'a user name without colons or control characters');
      // The hash itself is a secret: never quoted.
      if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
        throw fail(key, 'is not a bcrypt hash', 'a bcrypt hash such as `htpasswd -nBC 10 "" | tr -d \':\\n\'` prints ($2y$10$ followed by 53 characters)');
      }
      users.set(user, hash);
    }
  }
  return { path, tls, headers, users };
}

type Fail = (key: string | undefined, problem: string, accepted?: string, cause?: unknown) => ConfigurationError;

/** A YAML mapping with only `keys`; an unknown key fails naming its path. */
function mapping(value: unknown, at: string | undefined, keys: readonly string[], fail: Fail): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail(at, 'is not a mapping', at === undefined ? ACCEPTED : `a mapping with keys ${keys.join(', ')}`);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      const path = at === undefined ? key : `${at}.${key}`;
      throw fail(path, 'is not supported', at === undefined ? `top-level keys ${keys.join(', ')}` : `keys of ${at}: ${keys.join(', ')}`);
    }
  }
  return value as Record<string, unknown>;
}

function readTls(value: unknown, base: string, fail: Fail): WebTlsConfig {
  const at = 'tls_server_config';
  const tls = mapping(
    value,
    at,
    [
      'cert_file',
      'key_file',
      'cert',
      'key',
      'client_ca_file',
      'client_ca',
      'client_auth_type',
      'client_allowed_sans',
      'min_version',
      'max_version',
      'cipher_suites',
      'prefer_server_cipher_suites',
      'curve_preferences',
    ],
    fail,
  );
  const text = (key: string): string | undefined => {
    const given = tls[key];
    if (given === undefined || given === null || given === '') return undefined;
    if (typeof given !== 'string') throw fail(`${at}.${key}`, 'is not a string', 'a string');
    return given;
  };
  /** PEM inline or from a file; both given is refused, as exporter-toolkit does. */
  const pem = (inline: string, file: string, what: string): Buffer | undefined => {
    const content = text(inline);
    const path = text(file);
    if (content !== undefined && path !== undefined) throw fail(`${at}.${file}`, `is given together with ${at}.${inline}`, `either ${file} or ${inline}`);
    if (content !== undefined) return Buffer.from(content);
    if (path === undefined) return undefined;
    try {
      return readFileSync(resolve(base, path));
    } catch (err) {
      throw fail(`${at}.${file}`, `${JSON.stringify(clip(path))} cannot be read (${errorText(err)})`, `a readable PEM file with ${what}`, err);
    }
  };
  const cert = pem('cert', 'cert_file', 'the server certificate (chain)');
  const key = pem('key', 'key_file', 'the private key of the server certificate');
  const ca = pem('client_ca', 'client_ca_file', 'the CA certificates that sign client certificates');
  if (cert === undefined) throw fail(`${at}.cert_file`, 'is missing', 'the server certificate as cert_file (or cert inline)');
  if (key === undefined) throw fail(`${at}.key_file`, 'is missing', 'the private key as key_file (or key inline)');

  const authRaw = text('client_auth_type') ?? 'NoClientCert';
  if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(authRaw)) throw fail(`${at}.client_auth_type`, `${JSON.stringify(clip(authRaw))} is not supported`, CLIENT_AUTH_TYPES.join(', '));
  const clientAuthType = authRaw as ClientAuthType;
  const verifies = clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert';
  if (verifies && ca === undefined) throw fail(`${at}.client_ca_file`, `is missing; client_auth_type ${clientAuthType} verifies client certificates against it`, 'the CA file that signs client certificates');
  // exporter-toolkit refuses this pair too: a CA nobody checks against is a mistake.
  if (ca !== undefined && clientAuthType === 'NoClientCert') throw fail(`${at}.client_auth_type`, 'is NoClientCert while client_ca_file is set', 'RequireAndVerifyClientCert (or VerifyClientCertIfGiven) with client_ca_file');

  let allowedSans: string[] | undefined;
  if (tls.client_allowed_sans !== undefined && tls.client_allowed_sans !== null) {
    allowedSans = stringList(tls.client_allowed_sans, `${at}.client_allowed_sans`, fail);
    if (clientAuthType !== 'RequireAnyClientCert' && clientAuthType !== 'RequireAndVerifyClientCert') {
      throw fail(`${at}.client_allowed_sans`, `needs a client certificate, which client_auth_type ${clientAuthType} does not require`, 'RequireAnyClientCert or RequireAndVerifyClientCert');
    }
  }

  const version = (keyName: 'min_version' | 'max_version'): 'TLSv1.2' | 'TLSv1.3' | undefined => {
    const raw = text(keyName);
    if (raw === undefined) return undefined;
    const mapped = (TLS_VERSIONS as Record<string, 'TLSv1.2' | 'TLSv1.3'>)[raw];
    if (mapped === undefined) throw fail(`${at}.${keyName}`, `${JSON.stringify(clip(raw))} is not supported`, Object.keys(TLS_VERSIONS).join(', '));
    return mapped;
  };
  const minVersion = version('min_version') ?? 'TLSv1.2';
  const maxVersion = version('max_version') ?? 'TLSv1.3';
  if (minVersion > maxVersion) throw fail(`${at}.min_version`, 'is above max_version', 'min_version at most max_version');

  const options: WebTlsConfig['options'] = {
    cert,
    key,
    minVersion,
    maxVersion,
    // Request a certificate for every type but NoClientCert; Node verifies
    // and refuses only for RequireAndVerifyClientCert, the server checks the
    // others after the handshake (see server.ts).
    requestCert: clientAuthType !== 'NoClientCert',
    rejectUnauthorized: clientAuthType === 'RequireAndVerifyClientCert',
    ...(ca === undefined ? {} : { ca }),
  };
  if (tls.cipher_suites !== undefined && tls.cipher_suites !== null) {
    const names = stringList(tls.cipher_suites, `${at}.cipher_suites`, fail);
    const mapped = names.map((name) => {
      const openssl = CIPHER_SUITES[name];
      if (openssl === undefined) throw fail(`${at}.cipher_suites`, `${JSON.stringify(clip(name))} is not supported`, Object.keys(CIPHER_SUITES).join(', '));
      return openssl;
    });
    options.ciphers = `${TLS13_SUITES}:${mapped.join(':')}`;
  }
  if (tls.prefer_server_cipher_suites !== undefined && tls.prefer_server_cipher_suites !== null) {
    if (typeof tls.prefer_server_cipher_suites !== 'boolean') throw fail(`${at}.prefer_server_cipher_suites`, 'is not a boolean', 'true or false');
    options.honorCipherOrder = tls.prefer_server_cipher_suites;
  } else {
    options.honorCipherOrder = true;
  }
  if (tls.curve_preferences !== undefined && tls.curve_preferences !== null) {
    const names = stringList(tls.curve_preferences, `${at}.curve_preferences`, fail);
    options.ecdhCurve = names
      .map((name) => {
        const openssl = CURVES[name];
        if (openssl === undefined) throw fail(`${at}.curve_preferences`, `${JSON.stringify(clip(name))} is not supported`, Object.keys(CURVES).join(', '));
        return openssl;
      })
      .join(':');
  }
  // Loads the certificate, key and CA now, each alone and then together,
  // so that the message blames the right key: a PEM that does not parse, a
  // key that does not match the certificate, a curve OpenSSL does not know,
  // fail here rather than at the first scrape.
  const steps: [string, string, SecureContextOptions][] = [
    [`${at}.${tls.cert === undefined ? 'cert_file' : 'cert'}`, 'a PEM certificate (chain)', { cert }],
    [`${at}.${tls.key === undefined ? 'key_file' : 'key'}`, 'an unencrypted PEM private key', { key }],
    ...(ca === undefined ? [] : [[`${at}.${tls.client_ca === undefined ? 'client_ca_file' : 'client_ca'}`, 'PEM CA certificates', { ca }] as [string, string, SecureContextOptions]]),
    [`${at}.${tls.key === undefined ? 'key_file' : 'key'}`, 'the private key of the certificate in cert_file', { cert, key }],
    [`${at}.${options.ecdhCurve === undefined ? 'cipher_suites' : 'curve_preferences'}`, 'suites and curves this OpenSSL supports', options],
  ];
  for (const [blamed, accepted, tried] of steps) {
    try {
      createSecureContext(tried);
    } catch (err) {
      throw fail(blamed, `does not load (${clip(errorText(err), 200)})`, accepted, err);
    }
  }
  return { options, clientAuthType, allowedSans };
}

function stringList(value: unknown, key: string, fail: Fail): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) throw fail(key, 'is not a list of strings', 'a YAML list of strings');
  return value as string[];
}

function errorText(err: unknown): string {
  if (err !== null && typeof err === 'object' && 'code' in err && (err as { code: unknown }).code === 'ENOENT') return 'no such file';
  return err instanceof Error ? err.message : String(err);
}
