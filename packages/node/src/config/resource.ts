/**
 * The resource from `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME` and
 * `start({ serviceName })`, read the same way from `process.env` and from
 * `start({ env })`.
 *
 * The SDK's own env detector discards the whole variable on one bad entry
 * and only says so at debug level (as the specification allows), which
 * loses `service.instance.id` too: several pushing processes then overwrite
 * each other's series. Here a bad value fails at start instead.
 */
import { randomUUID } from 'node:crypto';
import { parseKeyValueList, textProblem } from '@inferometer/exporter-remote-write/internal';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { invalid, option, readString, variable, type Environment } from './env.js';

/** Longest attribute key and value, as the SDK's env detector bounds them. */
export const MAX_RESOURCE_ATTRIBUTE_LENGTH = 255;

/** What `OTEL_RESOURCE_ATTRIBUTES` accepts. */
export const RESOURCE_ATTRIBUTES_ACCEPTED =
  'W3C Baggage-like key=value pairs, comma separated, with `,`, `=`, `%` and control characters in keys and values percent-encoded ' +
  `(keys and values at most ${MAX_RESOURCE_ATTRIBUTE_LENGTH} characters), e.g. service.namespace=ml,deployment.environment=prod; ` +
  'https://opentelemetry.io/docs/specs/otel/resource/sdk/#specifying-resource-information-via-an-environment-variable';

const SERVICE_NAME_ACCEPTED = 'a service name without control characters, e.g. iris-server';

/** The resource attribute naming one process of a service. */
export const ATTR_SERVICE_INSTANCE_ID = 'service.instance.id';

const INSTANCE_ID_ACCEPTED = 'an id without control characters, unique per process of the service, e.g. the pod name or a UUID';

/** Where the `service.instance.id` of {@link buildResource} may come from besides the environment. */
export interface InstanceIdSources {
  /** `start({ serviceInstanceId })`. */
  readonly serviceInstanceId?: unknown;
  /** `start({ remoteWrite: { instance } })`: the user named this process's instance for remote write; one name for every exporter. */
  readonly remoteWriteInstance?: unknown;
}

/**
 * The resource `start()` gives its MeterProvider.
 *
 * It always carries a `service.instance.id`: the option, else the one in
 * `OTEL_RESOURCE_ATTRIBUTES`, else `remoteWrite.instance`, else a random
 * UUID per process start, as the semantic conventions recommend when the
 * service has no inherent id
 * (https://opentelemetry.io/docs/specs/semconv/registry/attributes/service/#service-instance-id).
 * Without it, processes of one service on one host (pm2, several
 * containers sharing a host name) push into the same series: remote write
 * receivers refuse one side as out-of-order samples, OTLP backends
 * overwrite one with the other (opentelemetry-js#1252).
 */
export function buildResource(env: Environment, serviceName: unknown, instance: InstanceIdSources = {}): Resource {
  const attributes = readResourceAttributes(env);
  let resource = defaultResource().merge(resourceFromAttributes(attributes));
  resource = resource.merge(resourceFromAttributes({ [ATTR_SERVICE_INSTANCE_ID]: resolveInstanceId(attributes, instance) }));
  const fromEnv = readString(env, 'OTEL_SERVICE_NAME');
  if (fromEnv !== undefined) {
    const problem = textProblem(fromEnv, SERVICE_NAME_ACCEPTED);
    if (problem !== undefined) throw invalid(variable('OTEL_SERVICE_NAME'), fromEnv, problem.problem, SERVICE_NAME_ACCEPTED);
    resource = resource.merge(resourceFromAttributes({ 'service.name': fromEnv }));
  }
  if (serviceName !== undefined) {
    const problem = serviceName === '' ? { problem: 'is empty' } : textProblem(serviceName, SERVICE_NAME_ACCEPTED);
    if (problem !== undefined) throw invalid(option('serviceName'), String(serviceName), problem.problem, SERVICE_NAME_ACCEPTED);
    resource = resource.merge(resourceFromAttributes({ 'service.name': serviceName as string }));
  }
  return resource;
}

function resolveInstanceId(attributes: Record<string, string>, { serviceInstanceId, remoteWriteInstance }: InstanceIdSources): string {
  if (serviceInstanceId !== undefined) {
    const problem =
      serviceInstanceId === ''
        ? { problem: 'is empty' }
        : typeof serviceInstanceId === 'string' && serviceInstanceId.length > MAX_RESOURCE_ATTRIBUTE_LENGTH
          ? { problem: `is longer than ${MAX_RESOURCE_ATTRIBUTE_LENGTH} characters` }
          : textProblem(serviceInstanceId, INSTANCE_ID_ACCEPTED);
    if (problem !== undefined) throw invalid(option('serviceInstanceId'), String(serviceInstanceId), problem.problem, INSTANCE_ID_ACCEPTED);
    return serviceInstanceId as string;
  }
  const fromEnv = attributes[ATTR_SERVICE_INSTANCE_ID];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  // Checked by the remote write configuration, which names the option.
  if (typeof remoteWriteInstance === 'string' && remoteWriteInstance !== '') return remoteWriteInstance;
  return randomUUID();
}

/** `OTEL_RESOURCE_ATTRIBUTES`, parsed; a bad entry throws naming the variable. */
export function readResourceAttributes(env: Environment): Record<string, string> {
  const name = 'OTEL_RESOURCE_ATTRIBUTES';
  const raw = readString(env, name);
  const attributes: Record<string, string> = {};
  if (raw === undefined) return attributes;
  const parsed = parseKeyValueList(raw, RESOURCE_ATTRIBUTES_ACCEPTED, true);
  if ('problem' in parsed) throw invalid(variable(name), raw, parsed.problem.problem, RESOURCE_ATTRIBUTES_ACCEPTED);
  for (const { key, value } of parsed.entries) {
    if (key.length > MAX_RESOURCE_ATTRIBUTE_LENGTH || value.length > MAX_RESOURCE_ATTRIBUTE_LENGTH) {
      throw invalid(variable(name), raw, `the entry ${JSON.stringify(key.slice(0, 40))} is longer than ${MAX_RESOURCE_ATTRIBUTE_LENGTH} characters`, RESOURCE_ATTRIBUTES_ACCEPTED);
    }
    attributes[key] = value;
  }
  return attributes;
}
