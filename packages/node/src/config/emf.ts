/**
 * Configuration of the `awsemf` exporter: CloudWatch Embedded Metric Format
 * documents written to a stream (stdout by default), where CloudWatch Logs
 * extracts them into metrics: Lambda, or containers whose logs reach
 * CloudWatch Logs without an agent.
 */
import { invalid, option, readString, variable, type ConfigurationSource, type Environment } from './env.js';

/** What the `awsemf` exporter writes to: `process.stdout`, a file stream, a socket. */
export interface EmfStream {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  /** Bytes written but not yet flushed (Node's Writable); when above `MAX_EMF_PENDING_BYTES` (8 MiB), an export is dropped. */
  readonly writableLength?: number;
}

/** The `emf` option of `start()` (exporter `awsemf`). */
export interface EmfOptions {
  /**
   * CloudWatch namespace of every metric; falls back to `AWS_EMF_NAMESPACE`
   * (the variable of AWS's own aws-embedded-metrics libraries), then
   * `Inferometer`. Letters, digits and `. _ # : / -`, at most 255
   * characters, not starting with `AWS/` (reserved for AWS services).
   *
   * @example
   * ```ts
   * emf: { namespace: 'IrisService' }
   * ```
   */
  namespace?: string;
  /**
   * Where documents go, one JSON document per line; `process.stdout` by
   * default (on Lambda, stdout reaches CloudWatch Logs, which extracts the
   * metrics: no agent needed).
   *
   * @example
   * ```ts
   * emf: { stream: createWriteStream('/var/log/app/metrics.log', { flags: 'a' }) }
   * ```
   */
  stream?: EmfStream;
}

/** Default namespace. */
export const DEFAULT_EMF_NAMESPACE = 'Inferometer';
/** The namespace variable, as aws-embedded-metrics reads it (https://github.com/awslabs/aws-embedded-metrics-node#configuration). */
export const EMF_NAMESPACE_VARIABLE = 'AWS_EMF_NAMESPACE';
/**
 * An export is dropped (with a warning) while the stream holds more than this
 * unflushed: a stalled log pipe must not make the process buffer without end.
 */
export const MAX_EMF_PENDING_BYTES = 8 * 1024 * 1024;

/**
 * CloudWatch namespaces: the EMF JSON schema's 1 to 255 characters, the
 * characters aws-embedded-metrics accepts (`VALID_NAMESPACE_REGEX` in its
 * Constants.ts), and not `AWS/` (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Namespace).
 */
const NAMESPACE_PATTERN = /^[a-zA-Z0-9._#:/-]{1,255}$/;
const NAMESPACE_ACCEPTED = '1 to 255 characters among letters, digits and . _ # : / -, not starting with AWS/ (e.g. Inferometer, ML/IrisService)';

/** The `awsemf` exporter's settings, checked. */
export interface EmfConfig {
  readonly namespace: string;
  readonly stream: EmfStream;
}

export function resolveEmfConfig(env: Environment, options: EmfOptions = {}): EmfConfig {
  const source: ConfigurationSource = options.namespace !== undefined ? option('emf.namespace') : variable(EMF_NAMESPACE_VARIABLE);
  const namespace = options.namespace ?? readString(env, EMF_NAMESPACE_VARIABLE) ?? DEFAULT_EMF_NAMESPACE;
  if (typeof namespace !== 'string' || !NAMESPACE_PATTERN.test(namespace)) throw invalid(source, namespace, 'is not a CloudWatch namespace', NAMESPACE_ACCEPTED);
  if (namespace.startsWith('AWS/')) throw invalid(source, namespace, 'starts with AWS/, which CloudWatch reserves for AWS services', NAMESPACE_ACCEPTED);
  const stream = options.stream ?? process.stdout;
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
    throw invalid(option('emf.stream'), undefined, 'is not a writable stream', 'a stream with write(chunk, callback), e.g. process.stdout or fs.createWriteStream(path)');
  }
  return { namespace, stream };
}
