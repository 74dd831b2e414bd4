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

/** The resource `start()` gives its MeterProvider. */
export function buildResource(env: Environment, serviceName: unknown): Resource {
  let resource = defaultResource().merge(resourceFromAttributes(readResourceAttributes(env)));
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
