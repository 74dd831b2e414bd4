/**
 * Verifies AWS Signature Version 4 on a received request, the way an AWS
 * endpoint does, with an implementation independent of the one under test:
 * the sender signs with the AWS SDK's @smithy/signature-v4; this recomputes
 * the signature with the `aws4` package (mhart/aws4, written from the
 * published algorithm:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
 * from static test credentials, and checks the payload hash against the
 * bytes received with node:crypto. Built from those definitions because no
 * AWS endpoint can be reached from here.
 */
import aws4 from 'aws4';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The credentials and scope a request must be signed with. */
export interface SigV4Expectation {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary credentials: the request must carry it as X-Amz-Security-Token. */
  readonly sessionToken?: string;
  readonly region: string;
  readonly service: string;
}

/** The request as received. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query, as on the request line. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** Undefined when the signature is right; otherwise why not (what AWS would answer 403 for). */
export function verifySigV4(request: ReceivedRequest, body: Buffer, expected: SigV4Expectation): string | undefined {
  const authorization = header(request.headers, 'authorization');
  if (authorization === undefined) return 'no Authorization header';
  const match = AUTHORIZATION.exec(authorization);
  if (match === null) return `malformed Authorization header: ${authorization}`;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as [string, string, string, string, string, string, string];
  if (accessKeyId !== expected.accessKeyId) return `unknown access key ${accessKeyId}`;
  if (region !== expected.region) return `credential scope region ${region}, expected ${expected.region}`;
  if (service !== expected.service) return `credential scope service ${service}, expected ${expected.service}`;
  const amzDate = header(request.headers, 'x-amz-date');
  if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate)) return `missing or malformed X-Amz-Date: ${amzDate}`;
  if (amzDate.slice(0, 8) !== date) return `X-Amz-Date ${amzDate} is not the scope's date ${date}`;
  const names = signedHeaders.split(';');
  for (const required of ['host', 'x-amz-date']) if (!names.includes(required)) return `${required} is not signed`;
  const token = header(request.headers, 'x-amz-security-token');
  if (token !== expected.sessionToken) return `X-Amz-Security-Token ${token === undefined ? 'missing' : 'wrong'}`;
  if (expected.sessionToken !== undefined && !names.includes('x-amz-security-token')) return 'x-amz-security-token is not signed';
  // The payload hash, from the bytes that arrived: a signature over another body must fail.
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const claimed = header(request.headers, 'x-amz-content-sha256');
  if (claimed !== undefined && claimed !== bodyHash) return 'X-Amz-Content-Sha256 is not the hash of the body received';
  // The signed headers with the values received; aws4 then signs exactly them.
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = header(request.headers, name);
    if (value === undefined) return `signed header ${name} is missing`;
    headers[name] = value;
  }
  const recomputed = aws4.sign(
    { method: request.method, host: headers.host, path: request.path, headers, body, service: expected.service, region: expected.region },
    { accessKeyId: expected.accessKeyId, secretAccessKey: expected.secretAccessKey, ...(expected.sessionToken === undefined ? {} : { sessionToken: expected.sessionToken }) },
  );
  const ours = AUTHORIZATION.exec(String(recomputed.headers?.Authorization ?? ''));
  if (ours === null) return 'aws4 produced no signature';
  if (ours[5] !== signedHeaders) return `signed headers ${signedHeaders}, aws4 signs ${ours[5]}`;
  if (ours[6] !== signature) return 'signature does not match';
  return undefined;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
