import { hostname } from 'node:os';
import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';

/** Resource attributes that become `job` and `instance` and stay off `target_info` (compatibility spec). */
const SERVICE_NAME = 'service.name';
const SERVICE_NAMESPACE = 'service.namespace';
const SERVICE_INSTANCE_ID = 'service.instance.id';

/** `job`, `instance`, and the attributes left for `target_info`. */
export interface ResourceLabels {
  readonly job: string;
  readonly instance: string;
  readonly rest: Attributes;
}

/**
 * Remote write has no scrape to add `job` and `instance`, so they come from
 * the resource as the OTLP -> Prometheus compatibility specification says:
 * `job` = `service.namespace/service.name` (or `service.name`), `instance` =
 * `service.instance.id`. When the resource has no instance id the host name
 * stands in: without an `instance`, two replicas of one service would write
 * into the same series and the receiver would refuse one of them as
 * out-of-order samples.
 */
export function resourceLabels(resource: Resource, fallbackInstance: string = hostname()): ResourceLabels {
  const attributes = resource.attributes;
  const name = attributes[SERVICE_NAME];
  const namespace = attributes[SERVICE_NAMESPACE];
  const instance = attributes[SERVICE_INSTANCE_ID];
  const rest: Attributes = {};
  for (const key of Object.keys(attributes)) {
    if (key !== SERVICE_NAME && key !== SERVICE_NAMESPACE && key !== SERVICE_INSTANCE_ID) rest[key] = attributes[key];
  }
  const service = name === undefined ? '' : String(name);
  return {
    job: namespace === undefined || namespace === '' ? service : `${String(namespace)}/${service}`,
    instance: instance === undefined || instance === '' ? fallbackInstance : String(instance),
    rest,
  };
}
