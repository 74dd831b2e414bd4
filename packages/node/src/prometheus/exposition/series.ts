import type { Attributes } from '@opentelemetry/api';
import type { DataPoint } from '@opentelemetry/sdk-metrics';
import { escapeLabelValue, isLegacyLabelName, isLegacyMetricName, prometheusBucketBound, prometheusLabels, quoteName, reservedLabels, type EscapingScheme } from '@inferometer/core/prometheus';

/**
 * The byte fragments of sample lines, shared by the text and OpenMetrics
 * formats (their sample lines are alike): names, label sets and `le` values,
 * translated by core and escaped once, then cached per attributes object
 * (the SDK and the native recorder keep one object per series across
 * collections), so a series' labels are escaped once, not per scrape.
 *
 * Under the `allow-utf-8` escaping a name that is not a legacy name is
 * written quoted, the metric name inside the braces
 * (`{"my.metric","label.name"="v"} 1`), as the text format 1.0.0 and
 * OpenMetrics' UTF-8 syntax write it
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details,
 * https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md#abnf).
 * Such a name's line starts `{"name"`, and its labels continue with `,`:
 * {@link NameBytes.quoted} tells which label bytes follow.
 */

/** A metric name's byte strings, ready to copy. */
export interface NameBytes {
  /** The name is written quoted inside the braces (`{"my.metric"`): the label bytes that follow are {@link LabelBytes.afterName}. */
  readonly quoted: boolean;
  readonly bare: Buffer;
  readonly bucket: Buffer;
  readonly count: Buffer;
  readonly sum: Buffer;
}

/**
 * One histogram series' fixed line starts, so each line is two copies and a
 * number: `name_count{labels} `, `name_sum{labels} `, `name_bucket{labels,`.
 */
export interface HistogramBytes {
  readonly labels: LabelBytes;
  readonly count: Buffer;
  readonly sum: Buffer;
  readonly bucketOpen: Buffer;
}

/** One attributes object's label bytes: `{k="v",` to continue with `le`, and `{k="v"}`. */
export interface LabelBytes {
  readonly open: Buffer;
  readonly plain: Buffer;
  /** The label set as text: two attribute sets can translate to the same labels (`a.b` and `a_b`, `3` and `'3'`). */
  readonly key: string;
  /**
   * Whether the translation changed anything (a key renamed, a value not a
   * non-empty string). Label sets that did not are distinct whenever their
   * attributes are, which the SDK and the native recorder guarantee within
   * one metric: only families with a changed set need checking for duplicates.
   */
  readonly changed: boolean;
  /** After a quoted name (`{"my.metric"`): `,k="v"}`, or `}` for no labels. Only under `allow-utf-8`. */
  readonly afterName?: Buffer;
  /** After a quoted name, to continue with `le`: `,k="v",` or `,`. Only under `allow-utf-8`. */
  readonly afterNameOpen?: Buffer;
}

/** Label bytes for one reserved-label list, per attributes object (one object per series, kept across collections). */
export interface LabelCache {
  readonly reserved: readonly string[];
  /** The escaping scheme the names are written under; `undefined`: the default translation (legacy names). */
  readonly escaping: EscapingScheme | undefined;
  readonly bytes: WeakMap<Attributes, LabelBytes>;
}

/** Label bytes per attributes object, one cache per reserved-label list (a type's labels differ only in those). */
const labelCaches = new Map<readonly string[], LabelCache>();
/** The same, per escaping scheme other than the default. */
const escapedLabelCaches = new Map<EscapingScheme, Map<readonly string[], LabelCache>>();
const leCache = new WeakMap<readonly number[], Buffer[]>();
const nameBytesCache = new Map<string, NameBytes>();
/** Per histogram name, per attributes object (one object per series, kept across collections). */
const histogramCache = new Map<string, WeakMap<Attributes, HistogramBytes>>();
const SPACE_BYTES = Buffer.from(' ');

/** A sample name as it starts a line: bare, or `{"name"` when it is not a legacy name (only `allow-utf-8` leaves such names). */
export function sampleName(name: string): string {
  return isLegacyMetricName(name) ? name : `{${quoteName(name)}`;
}

/** A name in a `# TYPE`, `# HELP` or `# UNIT` line: bare, or quoted when it is not a legacy name. */
export function metadataName(name: string): string {
  return isLegacyMetricName(name) ? name : quoteName(name);
}

export function nameBytes(name: string): NameBytes {
  let bytes = nameBytesCache.get(name);
  if (bytes === undefined) {
    bytes = {
      quoted: !isLegacyMetricName(name),
      bare: Buffer.from(sampleName(name), 'utf8'),
      bucket: Buffer.from(sampleName(`${name}_bucket`), 'utf8'),
      count: Buffer.from(sampleName(`${name}_count`), 'utf8'),
      sum: Buffer.from(sampleName(`${name}_sum`), 'utf8'),
    };
    if (nameBytesCache.size < 10_000) nameBytesCache.set(name, bytes);
  }
  return bytes;
}

/** The label bytes that follow a name's bytes: `{k="v"}` after a bare name, `,k="v"}` after a quoted one. */
export function labelsAfter(name: NameBytes, labels: LabelBytes): Buffer {
  return name.quoted ? labels.afterName! : labels.plain;
}

/** The histogram line starts of a family's series (bounded: at most 10,000 names are cached), per escaping scheme. */
export function histogramCacheOf(name: string, escaping?: EscapingScheme): WeakMap<Attributes, HistogramBytes> {
  const key = escaping === undefined ? name : `${name}\u0000${escaping}`;
  let cache = histogramCache.get(key);
  if (cache === undefined) {
    cache = new WeakMap();
    if (histogramCache.size < 10_000) histogramCache.set(key, cache);
  }
  return cache;
}

export function histogramBytes(
  cache: WeakMap<Attributes, HistogramBytes>,
  labelCache: LabelCache,
  name: NameBytes,
  attributes: Attributes,
): HistogramBytes {
  let bytes = cache.get(attributes);
  if (bytes === undefined) {
    const labels = labelBytes(labelCache, attributes);
    bytes = {
      labels,
      count: Buffer.concat([name.count, labelsAfter(name, labels), SPACE_BYTES]),
      sum: Buffer.concat([name.sum, labelsAfter(name, labels), SPACE_BYTES]),
      bucketOpen: Buffer.concat([name.bucket, name.quoted ? labels.afterNameOpen! : labels.open]),
    };
    cache.set(attributes, bytes);
  }
  return bytes;
}

/** `le="0.005"} ` for each bucket, `le="+Inf"} ` last; computed once per boundaries array. */
export function leBytes(boundaries: readonly number[]): Buffer[] {
  let les = leCache.get(boundaries);
  if (les === undefined) {
    les = [];
    for (let i = 0; i <= boundaries.length; i++) {
      const bound = boundaries[i];
      les.push(Buffer.from(`le="${prometheusBucketBound(bound)}"} `, 'utf8'));
    }
    leCache.set(boundaries, les);
  }
  return les;
}

/** The label bytes cache of a reserved-label list under an escaping scheme (`underscores` is the default's). */
export function labelCache(reserved: readonly string[], escaping?: EscapingScheme): LabelCache {
  const scheme = escaping === 'underscores' ? undefined : escaping;
  let caches = labelCaches;
  if (scheme !== undefined) {
    let perScheme = escapedLabelCaches.get(scheme);
    if (perScheme === undefined) escapedLabelCaches.set(scheme, (perScheme = new Map()));
    caches = perScheme;
  }
  let cache = caches.get(reserved);
  if (cache === undefined) {
    cache = { reserved, escaping: scheme, bytes: new WeakMap() };
    caches.set(reserved, cache);
  }
  return cache;
}

/** `name="value"` pairs joined by commas, a name quoted when it is not a legacy label name (only `allow-utf-8` leaves such names). */
export function labelPairs(labels: readonly { name: string; value: string }[]): string {
  let body = '';
  for (const { name, value } of labels) body += `${body === '' ? '' : ','}${isLegacyLabelName(name) ? name : quoteName(name)}="${escapeLabelValue(value)}"`;
  return body;
}

/**
 * A label set's bytes, translated (core's Prometheus translation: sanitized
 * names, colliding names joined, reserved names renamed) and escaped once
 * per attributes object.
 */
export function labelBytes(cache: LabelCache, attributes: Attributes): LabelBytes {
  let bytes = cache.bytes.get(attributes);
  if (bytes === undefined) {
    let body = '';
    let defined = 0;
    let changed = false;
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined) continue;
      defined++;
      if (typeof value !== 'string' || value === '') changed = true;
    }
    const labels = prometheusLabels(attributes, cache.reserved, cache.escaping);
    if (labels.length !== defined) changed = true;
    for (const { name } of labels) if (!Object.hasOwn(attributes, name)) changed = true;
    body = labelPairs(labels);
    bytes = {
      open: Buffer.from(body === '' ? '{' : `{${body},`, 'utf8'),
      plain: Buffer.from(body === '' ? '' : `{${body}}`, 'utf8'),
      key: body,
      changed,
      ...(cache.escaping === 'allow-utf-8'
        ? { afterName: Buffer.from(body === '' ? '}' : `,${body}}`, 'utf8'), afterNameOpen: Buffer.from(body === '' ? ',' : `,${body},`, 'utf8') }
        : {}),
    };
    cache.bytes.set(attributes, bytes);
  }
  return bytes;
}

/** The label sets of the points before `end` (written already, unchecked). */
export function keysBefore(points: readonly DataPoint<unknown>[], end: number, labels: LabelCache): Set<string> {
  const keys = new Set<string>();
  for (let i = 0; i < end; i++) keys.add(labelBytes(labels, points[i]!.attributes).key);
  return keys;
}

/** `target_info{…} 1\n`: the resource as labels, in both formats. */
export function targetInfoSample(resource: Attributes, escaping?: EscapingScheme): string {
  return `target_info${labelBytes(labelCache(reservedLabels('gauge'), escaping), resource).plain.toString('utf8')} 1\n`;
}
