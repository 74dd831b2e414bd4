import type { Attributes } from '@opentelemetry/api';
import type { CollectedExemplar } from '@inferometer/core/internal';
import { escapeHelp, exemplarLabels, MAX_EXEMPLAR_LABEL_CHARS, openMetricsFamilyName, openMetricsUnit, sampleValueText, type EscapingScheme, type PrometheusFamily } from '@inferometer/core/prometheus';
import { NEWLINE, SPACE, type ChunkWriter } from './chunks.js';
import { labelPairs, metadataName, nameBytes, targetInfoSample, type NameBytes } from './series.js';
import { warnOnce } from '../warn.js';

/**
 * What OpenMetrics 1.0.0
 * (https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md)
 * writes beyond the text format: TYPE first, a counter family named without
 * `_total`, `# UNIT`, HELP with double quotes escaped too, exemplars after
 * samples, `_created` samples (an option) and `# EOF` at the end. Its sample
 * lines are otherwise the text format's (./series.ts).
 */

export const EOF = Buffer.from('# EOF\n');
const EXEMPLAR_OPEN = Buffer.from(' # {');
const targetInfoCaches = new Map<EscapingScheme | undefined, WeakMap<Attributes, Buffer>>();

/**
 * The header of a family: TYPE, UNIT when valid and a suffix of the name
 * (https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md#unit),
 * HELP with backslash, newline and double quote escaped; a name that is not
 * a legacy name quoted (OpenMetrics' UTF-8 syntax, under `allow-utf-8` only).
 */
export function openMetricsHeader(family: Pick<PrometheusFamily<never>, 'name' | 'type' | 'help' | 'unit'>): Buffer {
  const bare = openMetricsFamilyName(family.name, family.type);
  const name = metadataName(bare);
  let header = `# TYPE ${name} ${family.type}\n`;
  const unit = openMetricsUnit(family.unit);
  if (unit !== undefined && bare.endsWith(`_${unit}`)) header += `# UNIT ${name} ${unit}\n`;
  if (family.help !== '') header += `# HELP ${name} ${escapeHelp(family.help, true)}\n`;
  return Buffer.from(header, 'utf8');
}

/** The `target_info` family, cached per resource and escaping scheme. */
export function openMetricsTargetInfo(resource: Attributes, escaping?: EscapingScheme): Buffer {
  let cache = targetInfoCaches.get(escaping);
  if (cache === undefined) targetInfoCaches.set(escaping, (cache = new WeakMap()));
  let bytes = cache.get(resource);
  if (bytes === undefined) {
    bytes = Buffer.from(`# TYPE target_info gauge\n# HELP target_info Target metadata\n${targetInfoSample(resource, escaping)}`, 'utf8');
    cache.set(resource, bytes);
  }
  return bytes;
}

/** The name of a family's `_created` samples (counters and histograms; gauges have none). */
export function createdName(family: Pick<PrometheusFamily<never>, 'name' | 'type'>): NameBytes | undefined {
  return family.type === 'gauge' ? undefined : nameBytes(`${openMetricsFamilyName(family.name, family.type)}_created`);
}

/** `name_created{labels} start\n`: the series' start time (`labels`: the bytes that follow the name, see series.ts' `labelsAfter`). */
export function writeCreated(w: ChunkWriter, name: NameBytes, labels: Buffer, start: readonly [number, number]): void {
  w.bytes(name.bare);
  w.bytes(labels);
  w.byte(SPACE);
  w.number(start[0] + start[1] / 1e9);
  w.byte(NEWLINE);
}

/**
 * ` # {trace_id="…",span_id="…"} value timestamp` after a sample
 * (https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md#exemplars).
 * An exemplar whose labels exceed the 128-character limit is left out
 * (Prometheus refuses the whole scrape otherwise).
 */
export function writeExemplar(w: ChunkWriter, exemplar: CollectedExemplar, escaping?: EscapingScheme): void {
  const labels = exemplarLabels(exemplar, escaping);
  if (labels === undefined) {
    warnOnce('exemplar-long', `@inferometer/node: an exemplar's labels exceed OpenMetrics' ${MAX_EXEMPLAR_LABEL_CHARS} characters; left out`);
    return;
  }
  w.bytes(EXEMPLAR_OPEN);
  w.bytes(Buffer.from(labelPairs(labels), 'utf8'));
  w.text('} ');
  w.number(exemplar.value);
  w.byte(SPACE);
  w.text(sampleValueText(exemplar.timestamp[0] + exemplar.timestamp[1] / 1e9));
}
