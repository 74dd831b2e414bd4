import type { Attributes } from '@opentelemetry/api';
import { escapeHelp, type PrometheusFamily } from '@inferometer/core/prometheus';
import { targetInfoSample } from './series.js';

/**
 * What the Prometheus text format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format)
 * writes differently from OpenMetrics: HELP before TYPE, HELP with backslash
 * and newline escaped (not double quote), no UNIT, no exemplars, no
 * `_created`, no `# EOF`. Its sample lines are OpenMetrics' (./series.ts).
 */

const targetInfoCache = new WeakMap<Attributes, Buffer>();

/** The header of a family: HELP and TYPE. */
export function textHeader(family: Pick<PrometheusFamily<never>, 'name' | 'type' | 'help'>): Buffer {
  let header = family.help === '' ? '' : `# HELP ${family.name} ${escapeHelp(family.help, false)}\n`;
  header += `# TYPE ${family.name} ${family.type}\n`;
  return Buffer.from(header, 'utf8');
}

/** The `target_info` family, cached per resource. */
export function textTargetInfo(resource: Attributes): Buffer {
  let bytes = targetInfoCache.get(resource);
  if (bytes === undefined) {
    bytes = Buffer.from(`# HELP target_info Target metadata\n# TYPE target_info gauge\n${targetInfoSample(resource)}`, 'utf8');
    targetInfoCache.set(resource, bytes);
  }
  return bytes;
}
