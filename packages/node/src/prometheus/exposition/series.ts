import type { Attributes } from '@opentelemetry/api';
import type { DataPoint } from '@opentelemetry/sdk-metrics';
import { escapeLabelValue, prometheusBucketBound, prometheusLabels, reservedLabels } from '@inferometer/core/prometheus';

/**
 * The byte fragments of sample lines, shared by the text and OpenMetrics
 * formats (their sample lines are alike): names, label sets and `le` values,
 * translated by core and escaped once, then cached per attributes object
 * (the SDK and the native recorder keep one object per series across
 * collections), so a series' labels are escaped once, not per scrape.
 */

/** A metric name's byte strings, ready to copy. */
export interface NameBytes {
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
}

/** Label bytes for one reserved-label list, per attributes object (one object per series, kept across collections). */
export interface LabelCache {
  readonly reserved: readonly string[];
  readonly bytes: WeakMap<Attributes, LabelBytes>;
}

/** Label bytes per attributes object, one cache per reserved-label list (a type's labels differ only in those). */
const labelCaches = new Map<readonly string[], LabelCache>();
const leCache = new WeakMap<readonly number[], Buffer[]>();
const nameBytesCache = new Map<string, NameBytes>();
/** Per histogram name, per attributes object (one object per series, kept across collections). */
const histogramCache = new Map<string, WeakMap<Attributes, HistogramBytes>>();
const SPACE_BYTES = Buffer.from(' ');

export function nameBytes(name: string): NameBytes {
  let bytes = nameBytesCache.get(name);
  if (bytes === undefined) {
    bytes = {
      bare: Buffer.from(name, 'utf8'),
      bucket: Buffer.from(`${name}_bucket`, 'utf8'),
      count: Buffer.from(`${name}_count`, 'utf8'),
      sum: Buffer.from(`${name}_sum`, 'utf8'),
    };
    if (nameBytesCache.size < 10_000) nameBytesCache.set(name, bytes);
  }
  return bytes;
}

/** The histogram line starts of a family's series (bounded: at most 10,000 names are cached). */
export function histogramCacheOf(name: string): WeakMap<Attributes, HistogramBytes> {
  let cache = histogramCache.get(name);
  if (cache === undefined) {
    cache = new WeakMap();
    if (histogramCache.size < 10_000) histogramCache.set(name, cache);
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
      count: Buffer.concat([name.count, labels.plain, SPACE_BYTES]),
      sum: Buffer.concat([name.sum, labels.plain, SPACE_BYTES]),
      bucketOpen: Buffer.concat([name.bucket, labels.open]),
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

export function labelCache(reserved: readonly string[]): LabelCache {
  let cache = labelCaches.get(reserved);
  if (cache === undefined) {
    cache = { reserved, bytes: new WeakMap() };
    labelCaches.set(reserved, cache);
  }
  return cache;
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
    const labels = prometheusLabels(attributes, cache.reserved);
    if (labels.length !== defined) changed = true;
    for (const { name, value } of labels) {
      if (!Object.hasOwn(attributes, name)) changed = true;
      body += `${body === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
    }
    bytes = {
      open: Buffer.from(body === '' ? '{' : `{${body},`, 'utf8'),
      plain: Buffer.from(body === '' ? '' : `{${body}}`, 'utf8'),
      key: body,
      changed,
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
export function targetInfoSample(resource: Attributes): string {
  return `target_info${labelBytes(labelCache(reservedLabels('gauge')), resource).plain.toString('utf8')} 1\n`;
}
