/**
 * AWS Signature Version 4 for OTLP/HTTP requests (the cloudwatch preset).
 *
 * The JS OTLP exporter's own HTTP transport cannot sign: it reads its headers
 * from a function that never sees the body, and it gzips while streaming the
 * body out without a Content-Length (`sendWithHttp` and `compressAndSend` in
 * @opentelemetry/otlp-exporter-base, src/platform/node/http-transport-utils.ts).
 * SigV4 signs a SHA-256 of the exact bytes on the wire
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html),
 * so this transport compresses first, then signs the final body, then sends
 * it. It plugs into the upstream export delegate
 * (`createOtlpNetworkExportDelegate`), which keeps serialization, the
 * concurrency limit and partial-success logging as every OTLP exporter has them.
 *
 * The signer and the credential chain are the AWS SDK's own
 * (`@smithy/signature-v4`, `@aws-sdk/credential-providers`'
 * `fromNodeProviderChain`: environment, SSO, web identity, shared files,
 * ECS and EC2 roles), loaded only when the preset is chosen: they are optional
 * peer dependencies, so services that never export to AWS do not carry them.
 */
import { diag } from '@opentelemetry/api';
import type { ExportResponse, IExporterTransport, OTLPExporterError } from '@opentelemetry/otlp-exporter-base';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ConfigurationError, describeSource, type ConfigurationSource } from '../config/env.js';
import { SIGV4_PACKAGES, type SigV4Settings } from '../config/otlp-presets.js';
import { VERSION } from '../version.js';

/** What this module needs of `@smithy/signature-v4`'s SignatureV4. */
export interface RequestSigner {
  sign(request: SignableRequest): Promise<SignableRequest>;
}

/** The request shape `@smithy/signature-v4` signs (`HttpRequest` of @smithy/types). */
export interface SignableRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/**
 * SHA-256 and HMAC-SHA-256 from node:crypto in the shape the signer takes
 * (`ChecksumConstructor` of @smithy/types), so no third hashing package is
 * needed (the SDK's own Node hash, @smithy/hash-node, wraps the same calls).
 */
class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.create();
  }

  update(chunk: Uint8Array | string): void {
    this.hash.update(chunk);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.create();
  }

  private create(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key = typeof this.secret === 'string' ? this.secret : ArrayBuffer.isView(this.secret) ? Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength) : Buffer.from(this.secret);
    return createHmac('sha256', key);
  }
}

/**
 * A SigV4 signer over the standard AWS credential chain. Fails (a
 * {@link ConfigurationError} blaming `source`, the preset's option or
 * variable) when the optional peer dependencies are not installed.
 */
export async function createSigV4Signer(settings: SigV4Settings, source: ConfigurationSource): Promise<RequestSigner> {
  let providers: typeof import('@aws-sdk/credential-providers');
  let signing: typeof import('@smithy/signature-v4');
  try {
    [providers, signing] = await Promise.all([import('@aws-sdk/credential-providers'), import('@smithy/signature-v4')]);
  } catch (err) {
    if (!isModuleNotFound(err)) throw err;
    const install = `npm install ${SIGV4_PACKAGES.join(' ')}`;
    throw new ConfigurationError(
      `${describeSource(source)}=cloudwatch signs every request with AWS SigV4 and needs the optional peer dependencies ${SIGV4_PACKAGES.join(' and ')}, which are not installed: run \`${install}\` (${err instanceof Error ? err.message : String(err)})`,
      { ...source, accepted: `the cloudwatch preset with ${SIGV4_PACKAGES.join(' and ')} installed (${install})`, related: [...SIGV4_PACKAGES], cause: err },
    );
  }
  // Memoized by the SDK: resolved at the first signature, refreshed before
  // temporary credentials (roles, SSO, web identity) expire.
  const credentials = providers.fromNodeProviderChain();
  const signer = new signing.SignatureV4({ service: settings.service, region: settings.region, credentials, sha256: NodeSha256 });
  return { sign: (request) => signer.sign(request) as Promise<SignableRequest> };
}

/** `import()` of a package that is not there: ERR_MODULE_NOT_FOUND in ESM, MODULE_NOT_FOUND through require (the CommonJS build). */
function isModuleNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** What {@link SigV4Transport} sends. */
export interface SigV4TransportOptions {
  readonly url: string;
  /** User headers (`OTEL_EXPORTER_OTLP_HEADERS`); signed with the rest. */
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string;
  readonly compression: 'none' | 'gzip';
  readonly signer: RequestSigner;
  /**
   * Upstream's error class for HTTP failures, which its export delegate
   * reports: passed in by the factory that loaded `@opentelemetry/otlp-exporter-base`
   * with `import()`, so that this module loads no OTLP package itself.
   */
  readonly errorType: typeof OTLPExporterError;
}

/** Upstream's retry policy (@opentelemetry/otlp-exporter-base retrying-transport.ts): 5 retries, 1 s growing 1.5x to 5 s, 20% jitter. */
const MAX_RETRIES = 5;
const INITIAL_BACKOFF_MILLIS = 1_000;
const MAX_BACKOFF_MILLIS = 5_000;
const BACKOFF_MULTIPLIER = 1.5;
const JITTER = 0.2;
/** A response body larger than this is not read (upstream's MAX_RESPONSE_BODY_SIZE, 4 MiB). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Network errors worth another try (upstream's isHttpTransportNetworkErrorRetryable). */
const RETRYABLE_NETWORK_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH']);

const gzipAsync = promisify(gzip);

/**
 * An OTLP transport that signs every attempt with SigV4 (a fresh
 * X-Amz-Date each time, and credentials the chain may have rotated).
 * Retries what upstream retries (429, 502, 503, 504, Retry-After, network
 * errors) within the export timeout.
 */
export class SigV4Transport implements IExporterTransport {
  private readonly url: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private warnedSigning = false;

  constructor(private readonly options: SigV4TransportOptions) {
    this.url = new URL(options.url);
    // Keep-alive, as upstream's default agent: one TLS handshake per connection, not per export.
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    const deadline = Date.now() + timeoutMillis;
    let body: Uint8Array;
    try {
      body = this.options.compression === 'gzip' ? await gzipAsync(data) : data;
    } catch (err) {
      return { status: 'failure', error: err instanceof Error ? err : new Error(String(err)) };
    }
    let backoff = INITIAL_BACKOFF_MILLIS;
    for (let retries = 0; ; retries++) {
      const response = await this.attempt(body, Math.max(1, deadline - Date.now()));
      if (response.status !== 'retryable' || retries >= MAX_RETRIES) return response;
      const wait = response.retryInMillis ?? Math.min(backoff * (1 + (Math.random() * 2 - 1) * JITTER), MAX_BACKOFF_MILLIS);
      if (wait > deadline - Date.now()) return response;
      // Not unref'd: shutdown() awaits this export, and a process should not
      // exit in the middle of the flush it asked for. Bounded by the deadline.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
      backoff = Math.min(backoff * BACKOFF_MULTIPLIER, MAX_BACKOFF_MILLIS);
    }
  }

  shutdown(): void {
    this.agent.destroy();
  }

  private async attempt(body: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    let signed: SignableRequest;
    try {
      signed = await this.options.signer.sign(this.request(body));
    } catch (err) {
      // Usually no credentials found by the chain, or an expired session.
      if (!this.warnedSigning) {
        this.warnedSigning = true;
        diag.error(
          '@inferometer/node: cannot sign the OTLP request with AWS SigV4 (no usable credentials from the default chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, web identity, container or instance role)',
          err,
        );
      }
      return { status: 'failure', error: err instanceof Error ? err : new Error(String(err)) };
    }
    return this.post(signed, body, timeoutMillis);
  }

  /** The request as SigV4 signs it; `host` is given explicitly because the signer signs what it is shown. */
  private request(body: Uint8Array): SignableRequest {
    const url = this.url;
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    return {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      ...(url.search === '' ? {} : { query }),
      headers: {
        ...this.options.headers,
        host: url.host,
        'content-type': this.options.contentType,
        'content-length': String(body.byteLength),
        ...(this.options.compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
      },
      body,
    };
  }

  private post(signed: SignableRequest, body: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (response: ExportResponse): void => {
        if (settled) return;
        settled = true;
        resolve(response);
      };
      const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
      // User-Agent after signing: SigV4 never signs it (the signer's unsignable headers).
      const headers = { ...signed.headers, 'user-agent': `inferometer-node/${VERSION}` };
      const req = send(this.url, { method: 'POST', headers, agent: this.agent }, (res) => this.read(res, settle));
      req.setTimeout(timeoutMillis, () => {
        req.destroy();
        settle({ status: 'retryable', error: new Error('OTLP request timed out') });
      });
      req.on('error', (error: Error & { code?: string }) => {
        settle(error.code !== undefined && RETRYABLE_NETWORK_ERRORS.has(error.code) ? { status: 'retryable', error } : { status: 'failure', error });
      });
      req.end(body);
    });
  }

  private read(res: IncomingMessage, settle: (response: ExportResponse) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        res.destroy();
        settle({ status: 'failure', error: new Error(`OTLP response body exceeded ${MAX_RESPONSE_BYTES} bytes`) });
        return;
      }
      chunks.push(chunk);
    });
    res.on('error', (error) => settle({ status: 'failure', error }));
    res.on('end', () => {
      const status = res.statusCode ?? 0;
      const data = Buffer.concat(chunks);
      if (status >= 200 && status <= 299) settle({ status: 'success', data });
      else if (status === 429 || status === 502 || status === 503 || status === 504) {
        const retryIn = retryAfterMillis(res.headers['retry-after']);
        settle({ status: 'retryable', ...(retryIn === undefined ? {} : { retryInMillis: retryIn }), error: new this.options.errorType(res.statusMessage, status, data.toString()) });
      } else settle({ status: 'failure', error: new this.options.errorType(res.statusMessage, status, data.toString()) });
    });
  }
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 section 10.2.3), as upstream's parseRetryAfterToMills reads it. */
function retryAfterMillis(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number.parseInt(header, 10);
  if (Number.isInteger(seconds)) return Math.max(0, seconds * 1000);
  const at = new Date(header).getTime();
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
