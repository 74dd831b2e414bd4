import type { Attributes } from '@opentelemetry/api';
import { InferometerConfigError } from '../errors.js';
import { runtime, type Runtime } from '../runtime.js';
import { OVERFLOW_VALUE, REJECTION_REASONS } from './patterns.js';
import { ValueGuard } from './registry.js';

/** Options of {@link createAttributeGuard}. */
export interface AttributeGuardOptions {
  /**
   * The metric's name as Prometheus shows it: the `metric` label of the
   * guard's self-metrics, and the scope of its caps.
   *
   * @example
   * ```ts
   * metric: 'http_server_requests_total'
   * ```
   */
  metric: string;
  /**
   * The attribute keys this metric may carry; anything else is dropped and
   * counted (`reason="undeclared"`). Keys unbounded by nature are refused
   * here, as for `@Instrument`.
   *
   * @example
   * ```ts
   * allow: ['http_route', 'http_method', 'status_class']
   * ```
   */
  allow: readonly string[];
  /**
   * Keys the unbounded-key patterns would refuse that are bounded here.
   *
   * @example
   * ```ts
   * allowUnboundedKeys: ['account_id']
   * ```
   */
  allowUnboundedKeys?: readonly string[];
}

/**
 * The cardinality guard for instruments you create yourself, shaped as an
 * OpenTelemetry `IAttributesProcessor` so it plugs into a view. It drops
 * undeclared keys, replaces identifier-shaped and over-long values, caps
 * distinct values per key and label sets per metric (the limits of
 * `configureGuards`), and counts every refusal in
 * `inferometer_attribute_rejections_total{metric, attribute, reason}`.
 */
export interface AttributeGuard {
  /** The guarded attributes for one measurement (a new object; the input is untouched). */
  process(incoming: Attributes): Attributes;
}

/**
 * Creates the guard for one metric of your own.
 *
 * @example
 * ```ts
 * import { createAttributeGuard } from '@inferometer/core';
 *
 * const provider = new MeterProvider({
 *   readers: [reader],
 *   views: [{
 *     instrumentName: 'http.server.requests',
 *     attributesProcessors: [createAttributeGuard({ metric: 'http_server_requests_total', allow: ['http_route', 'http_method'] })],
 *   }],
 * });
 * ```
 */
export function createAttributeGuard(options: AttributeGuardOptions): AttributeGuard {
  return attributeGuardIn(runtime(), options);
}

/** {@link createAttributeGuard} in a given runtime. @internal */
export function attributeGuardIn(owner: Runtime, options: AttributeGuardOptions): AttributeGuard {
  const registry = owner.guard;
  const where = 'createAttributeGuard(options)';
  if (options === null || typeof options !== 'object' || typeof options.metric !== 'string' || options.metric === '') {
    throw new InferometerConfigError('metric', `${where}: option "metric" must be the metric's name, e.g. { metric: 'http_server_requests_total', allow: ['http_route'] }`, ['a non-empty string']);
  }
  if (!Array.isArray(options.allow) || !options.allow.every((k) => typeof k === 'string')) {
    throw new InferometerConfigError('allow', `${where}: option "allow" must be an array of attribute names, e.g. ['http_route', 'http_method']`, ['an array of attribute names']);
  }
  const metric = options.metric;
  registry.checkDeclaredKeys(options.allow, metric, where, options.allowUnboundedKeys ?? []);
  const guards = new Map(options.allow.map((key) => [key, new ValueGuard(registry, metric, key)]));
  // Label sets seen, bounded by the series cap: past it, the overflow set.
  const seen = new Set<string>();
  return {
    process(incoming) {
      const out: Attributes = {};
      for (const key in incoming) {
        const guard = guards.get(key);
        if (guard === undefined) {
          registry.reject(metric, key, REJECTION_REASONS.undeclared);
          continue;
        }
        const value = guard.admit(incoming[key]);
        if (value !== undefined) out[key] = value;
      }
      const id = labelSetId(out);
      if (seen.has(id)) return out;
      if (seen.size < registry.config.maxSeriesPerMetric - 1 && registry.admitSeries(metric)) {
        seen.add(id);
        return out;
      }
      registry.reject(metric, Object.keys(out).join('+'), REJECTION_REASONS.seriesOverflow);
      registry.noteOverflowSeries(metric);
      for (const key in out) out[key] = OVERFLOW_VALUE;
      return out;
    },
  };
}

function labelSetId(attributes: Attributes): string {
  let id = '';
  for (const key of Object.keys(attributes).sort()) id += `${key}\u0000${String(attributes[key])}\u0001`;
  return id;
}
