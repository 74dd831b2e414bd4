/**
 * Reading the expositions back for tests, in every negotiated form:
 * - the text format 1.0.0 and OpenMetrics with UTF-8 names, quoted inside the
 *   braces (`{"my.metric","label.name"="v"} 1`), as the text format
 *   specification writes them
 *   (https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details;
 *   Prometheus 2.42's parser, in @inferometer/testing's parseStrict, predates them);
 * - the protobuf exposition, decoded with the official metrics.proto, as the
 *   samples Prometheus makes of it (a classic histogram's `+Inf` bucket is its count);
 * - the `values` escaping undone, as prometheus/common's model.UnescapeName does.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

function readQuoted(line: string, at: number): { text: string; end: number } {
  if (line[at] !== '"') throw new Error(`expected '"' at ${at}: ${line}`);
  let text = '';
  let i = at + 1;
  for (; i < line.length && line[i] !== '"'; i++) {
    if (line[i] === '\\') {
      const next = line[++i];
      text += next === 'n' ? '\n' : next;
    } else text += line[i];
  }
  if (line[i] !== '"') throw new Error(`unterminated string: ${line}`);
  return { text, end: i + 1 };
}

function readValue(token: string): number {
  if (token === '+Inf') return Infinity;
  if (token === '-Inf') return -Infinity;
  if (token === 'NaN') return NaN;
  const n = Number(token);
  if (token === '' || Number.isNaN(n)) throw new Error(`bad value ${JSON.stringify(token)}`);
  return n;
}

/** The sample lines of a text 0.0.4 / 1.0.0 or OpenMetrics exposition (exemplars and comments left out); throws on a line it cannot read. */
export function parseUtf8Samples(text: string): ParsedSample[] {
  const samples: ParsedSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    let name: string | undefined;
    const labels: Record<string, string> = {};
    let i = 0;
    if (line[0] !== '{') {
      while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
      name = line.slice(0, i);
    }
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        let key: string;
        if (line[i] === '"') {
          const quoted = readQuoted(line, i);
          key = quoted.text;
          i = quoted.end;
        } else {
          const eq = line.indexOf('=', i);
          key = line.slice(i, eq);
          i = eq;
        }
        if (line[i] === '=') {
          const value = readQuoted(line, i + 1);
          if (Object.hasOwn(labels, key)) throw new Error(`label ${key} twice: ${line}`);
          labels[key] = value.text;
          i = value.end;
        } else {
          if (name !== undefined) throw new Error(`two names: ${line}`);
          name = key;
        }
        if (line[i] === ',') i++;
        else if (line[i] !== '}') throw new Error(`expected ',' or '}' at ${i}: ${line}`);
      }
      i++;
    }
    if (name === undefined || line[i] !== ' ') throw new Error(`no name or value: ${line}`);
    const rest = line.slice(i + 1);
    const space = rest.indexOf(' ');
    samples.push({ name, labels, value: readValue(space < 0 ? rest : rest.slice(0, space)) });
  }
  return samples;
}

/** One key per series: the name and its labels sorted, JSON-quoted. */
export function sampleKeyOf(sample: Pick<ParsedSample, 'name' | 'labels'>): string {
  const labels = Object.keys(sample.labels)
    .sort()
    .map((k) => `${JSON.stringify(k)}=${JSON.stringify(sample.labels[k])}`);
  return `${JSON.stringify(sample.name)}{${labels.join(',')}}`;
}

/** Samples by series; a series twice is an error (Prometheus refuses the scrape). */
export function samplesByKey(samples: readonly ParsedSample[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const s of samples) {
    const key = sampleKeyOf(s);
    if (map.has(key)) throw new Error(`duplicate sample ${key}`);
    map.set(key, s.value);
  }
  return map;
}

const root = protobuf.loadSync(fileURLToPath(new URL('../prometheus/protobuf/fixtures/client_model/io/prometheus/client/metrics.proto', import.meta.url)));
/** io.prometheus.client.MetricFamily from the vendored official definitions. */
export const MetricFamily = root.lookupType('io.prometheus.client.MetricFamily');

export interface DecodedTimestamp {
  seconds?: number;
  nanos?: number;
}
export interface DecodedMetric {
  label?: { name: string; value: string }[];
  counter?: { value: number; createdTimestamp?: DecodedTimestamp };
  gauge?: { value: number };
  histogram?: { sampleCount?: number; sampleSum?: number; bucket?: { cumulativeCount?: number; upperBound?: number }[]; createdTimestamp?: DecodedTimestamp };
}
export interface DecodedMetricFamily {
  name: string;
  type?: string;
  metric: DecodedMetric[];
}

/** Reads the delimited stream back with protobufjs. */
export function decodeExposition(bytes: Uint8Array): DecodedMetricFamily[] {
  const reader = protobuf.Reader.create(bytes);
  const out: DecodedMetricFamily[] = [];
  while (reader.pos < reader.len) {
    const message = MetricFamily.decodeDelimited(reader);
    out.push(MetricFamily.toObject(message, { enums: String, longs: Number, arrays: true, defaults: false }) as DecodedMetricFamily);
  }
  return out;
}

/** The samples Prometheus makes of a protobuf exposition (classic histograms: `_count`, `_sum`, cumulative `_bucket` with `+Inf` the count). */
export function protobufSamples(bytes: Uint8Array): ParsedSample[] {
  const samples: ParsedSample[] = [];
  for (const family of decodeExposition(bytes)) {
    for (const metric of family.metric) {
      const labels: Record<string, string> = {};
      for (const label of metric.label ?? []) labels[label.name] = label.value;
      if (metric.counter !== undefined) samples.push({ name: family.name, labels, value: metric.counter.value ?? 0 });
      else if (metric.gauge !== undefined) samples.push({ name: family.name, labels, value: metric.gauge.value ?? 0 });
      else if (metric.histogram !== undefined) {
        const h = metric.histogram;
        samples.push({ name: `${family.name}_count`, labels, value: h.sampleCount ?? 0 });
        if (h.sampleSum !== undefined) samples.push({ name: `${family.name}_sum`, labels, value: h.sampleSum });
        for (const bucket of h.bucket ?? []) samples.push({ name: `${family.name}_bucket`, labels: { ...labels, le: String(bucket.upperBound) }, value: bucket.cumulativeCount ?? 0 });
        samples.push({ name: `${family.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.sampleCount ?? 0 });
      }
    }
  }
  return samples;
}

/**
 * The `values` escaping undone (prometheus/common model.UnescapeName):
 * `U__` names decoded, `__` to `_`, `_hex_` to the character; a name that is
 * not `U__` as it is; `undefined` when the rest is not a valid encoding.
 */
export function unescapeValues(name: string): string | undefined {
  if (!name.startsWith('U__')) return name;
  let out = '';
  const s = name.slice(3);
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '_') {
      out += s[i];
      continue;
    }
    if (s[i + 1] === '_') {
      out += '_';
      i++;
      continue;
    }
    const end = s.indexOf('_', i + 1);
    const hex = end < 0 ? '' : s.slice(i + 1, end);
    if (!/^[0-9a-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) return undefined;
    out += String.fromCodePoint(parseInt(hex, 16));
    i = end;
  }
  return out;
}

/** A sample name unescaped: histogram suffixes are written after the family's escaped name, so they are tried apart. */
function unescapeSampleName(name: string): string {
  const whole = unescapeValues(name);
  if (whole !== undefined) return whole;
  for (const suffix of ['_bucket', '_count', '_sum', '_created']) {
    if (!name.endsWith(suffix)) continue;
    const base = unescapeValues(name.slice(0, -suffix.length));
    if (base !== undefined) return base + suffix;
  }
  throw new Error(`not a values-escaped name: ${name}`);
}

/** A sample with its name and label names unescaped from `values`. */
export function unescapeSample(sample: ParsedSample): ParsedSample {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(sample.labels)) {
    const key = unescapeValues(k);
    if (key === undefined) throw new Error(`not a values-escaped label name: ${k}`);
    labels[key] = v;
  }
  return { name: unescapeSampleName(sample.name), labels, value: sample.value };
}
