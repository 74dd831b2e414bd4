import type { Attributes } from '@opentelemetry/api';
import { escapeHelp, type EscapingScheme, type PrometheusFamily } from '@inferometer/core/prometheus';
import { metadataName, targetInfoSample } from './series.js';

/**
 * What the Prometheus text format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format)
 * writes differently from OpenMetrics: HELP before TYPE, HELP with backslash
 * and newline escaped (not double quote), no UNIT, no exemplars, no
 * `_created`, no `# EOF`. Its sample lines are OpenMetrics' (./series.ts).
 * The text format 1.0.0 is the same but for names that are not legacy names,
 * which it writes quoted (`# TYPE "my.metric" counter`); only the
 * `allow-utf-8` escaping leaves such names.
 */

const targetInfoCaches = new Map<EscapingScheme | undefined, WeakMap<Attributes, Buffer>>();

/** The header of a family: HELP and TYPE. */
export function textHeader(family: Pick<PrometheusFamily<never>, 'name' | 'type' | 'help'>): Buffer {
  const name = metadataName(family.name);
  let header = family.help === '' ? '' : `# HELP ${name} ${escapeHelp(family.help, false)}\n`;
  header += `# TYPE ${name} ${family.type}\n`;
  return Buffer.from(header, 'utf8');
}

/** The `target_info` family, cached per resource and escaping scheme. */
export function textTargetInfo(resource: Attributes, escaping?: EscapingScheme): Buffer {
  let cache = targetInfoCaches.get(escaping);
  if (cache === undefined) targetInfoCaches.set(escaping, (cache = new WeakMap()));
  let bytes = cache.get(resource);
  if (bytes === undefined) {
    bytes = Buffer.from(`# HELP target_info Target metadata\n# TYPE target_info gauge\n${targetInfoSample(resource, escaping)}`, 'utf8');
    cache.set(resource, bytes);
  }
  return bytes;
}
