import type { Attributes } from '@opentelemetry/api';
import type { CollectedExemplar } from '@inferometer/core/internal';
import { escapeHelp, escapeLabelValue, exemplarLabels, MAX_EXEMPLAR_LABEL_CHARS, openMetricsFamilyName, openMetricsUnit, sampleValueText, type PrometheusFamily } from '@inferometer/core/prometheus';
import { NEWLINE, SPACE, type ChunkWriter } from './chunks.js';
import { targetInfoSample } from './series.js';
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
const targetInfoCache = new WeakMap<Attributes, Buffer>();

/**
 * The header of a family: TYPE, UNIT when valid and a suffix of the name
 * (https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md#unit),
 * HELP with backslash, newline and double quote escaped.
 */
export function openMetricsHeader(family: Pick<PrometheusFamily<never>, 'name' | 'type' | 'help' | 'unit'>): Buffer {
  const name = openMetricsFamilyName(family.name, family.type);
  let header = `# TYPE ${name} ${family.type}\n`;
  const unit = openMetricsUnit(family.unit);
  if (unit !== undefined && name.endsWith(`_${unit}`)) header += `# UNIT ${name} ${unit}\n`;
  if (family.help !== '') header += `# HELP ${name} ${escapeHelp(family.help, true)}\n`;
  return Buffer.from(header, 'utf8');
}

/** The `target_info` family, cached per resource. */
export function openMetricsTargetInfo(resource: Attributes): Buffer {
  let bytes = targetInfoCache.get(resource);
  if (bytes === undefined) {
    bytes = Buffer.from(`# TYPE target_info gauge\n# HELP target_info Target metadata\n${targetInfoSample(resource)}`, 'utf8');
    targetInfoCache.set(resource, bytes);
  }
  return bytes;
}

/** The name of a family's `_created` samples (counters and histograms; gauges have none). */
export function createdName(family: Pick<PrometheusFamily<never>, 'name' | 'type'>): Buffer | undefined {
  return family.type === 'gauge' ? undefined : Buffer.from(`${openMetricsFamilyName(family.name, family.type)}_created`, 'utf8');
}

/** `name_created{labels} start\n`: the series' start time. */
export function writeCreated(w: ChunkWriter, name: Buffer, labels: Buffer, start: readonly [number, number]): void {
  w.bytes(name);
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
export function writeExemplar(w: ChunkWriter, exemplar: CollectedExemplar): void {
  const labels = exemplarLabels(exemplar);
  if (labels === undefined) {
    warnOnce('exemplar-long', `@inferometer/node: an exemplar's labels exceed OpenMetrics' ${MAX_EXEMPLAR_LABEL_CHARS} characters; left out`);
    return;
  }
  let body = '';
  for (const { name, value } of labels) body += `${body === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  w.bytes(EXEMPLAR_OPEN);
  w.bytes(Buffer.from(body, 'utf8'));
  w.text('} ');
  w.number(exemplar.value);
  w.byte(SPACE);
  w.text(sampleValueText(exemplar.timestamp[0] + exemplar.timestamp[1] / 1e9));
}
