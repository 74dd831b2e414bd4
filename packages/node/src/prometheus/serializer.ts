import { diag, type Attributes } from '@opentelemetry/api';
import {
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/**
 * A Prometheus text-format (0.0.4) serializer built for scrape size:
 * - label strings are cached per attributes object (the SDK and the native
 *   recorder keep one object per series across collections), so a series'
 *   labels are escaped once, not per scrape;
 * - output comes in chunks, so the handler can write each one and yield to
 *   the event loop between them instead of building one large string while
 *   predictions wait (prom-client #216, #543).
 *
 * Output is sample-for-sample what `@opentelemetry/exporter-prometheus`'s
 * PrometheusSerializer produces with `withoutScopeInfo` (a test parses both),
 * and families with the same name from several scopes are merged so the
 * exposition never repeats a `# TYPE` line.
 *
 * Exposition format: https://prometheus.io/docs/instrumenting/exposition_formats/
 */

/** Approximate characters per chunk. */
export const DEFAULT_CHUNK_CHARS = 64 * 1024;

const labelCache = new WeakMap<Attributes, string>();
const resourceCache = new WeakMap<Attributes, string>();

interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly unit: string;
  readonly parts: { metric: MetricData }[];
}

/** Serializes collected metrics into chunks of about `chunkChars` characters. */
export function* serializeChunks(resourceMetrics: ResourceMetrics, chunkChars = DEFAULT_CHUNK_CHARS): Generator<string> {
  let out = targetInfo(resourceMetrics.resource.attributes);
  for (const family of families(resourceMetrics).values()) {
    out += `# HELP ${family.name} ${escapeHelp(family.help)}\n`;
    if (family.unit !== '') out += `# UNIT ${family.name} ${family.unit}\n`;
    out += `# TYPE ${family.name} ${family.type}\n`;
    for (const { metric } of family.parts) {
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        for (const point of metric.dataPoints) {
          out += histogramLines(family.name, point);
          if (out.length >= chunkChars) {
            yield out;
            out = '';
          }
        }
      } else {
        const points = metric.dataPoints as DataPoint<number>[];
        for (const point of points) {
          out += `${family.name}${labels(point.attributes)} ${value(point.value)}\n`;
          if (out.length >= chunkChars) {
            yield out;
            out = '';
          }
        }
      }
    }
  }
  if (out !== '') yield out;
}

/** The whole exposition as one string (tests, and small registries). */
export function serialize(resourceMetrics: ResourceMetrics): string {
  let out = '';
  for (const chunk of serializeChunks(resourceMetrics)) out += chunk;
  return out;
}

function families(resourceMetrics: ResourceMetrics): Map<string, Family> {
  const byName = new Map<string, Family>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const type = typeOf(metric);
      if (type === undefined) {
        diag.warn(`@inferometer/node: metric "${metric.descriptor.name}" is an exponential histogram, which the Prometheus text format cannot carry; left out of /metrics`);
        continue;
      }
      const name = metricName(metric.descriptor.name, metric);
      const family = byName.get(name);
      if (family === undefined) {
        byName.set(name, { name, type, help: metric.descriptor.description, unit: metric.descriptor.unit, parts: [{ metric }] });
      } else if (family.type === type) {
        family.parts.push({ metric });
      } else {
        diag.warn(`@inferometer/node: metric "${name}" is registered as ${family.type} and as ${type}; the ${type} one is left out of /metrics`);
      }
    }
  }
  return byName;
}

function typeOf(metric: MetricData): Family['type'] | undefined {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'gauge';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    default:
      return undefined;
  }
}

const nameCache = new Map<string, string>();

/** Sanitized name, with `_total` on monotonic sums, as exporter-prometheus names them. */
function metricName(raw: string, metric: MetricData): string {
  const counter = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
  const key = counter ? `${raw}\u0000c` : raw;
  let name = nameCache.get(key);
  if (name === undefined) {
    name = raw.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_{2,}/g, '_');
    if (counter && !name.endsWith('_total')) name += '_total';
    if (nameCache.size < 10_000) nameCache.set(key, name);
  }
  return name;
}

function histogramLines(name: string, point: DataPoint<Histogram>): string {
  const histogram = point.value;
  const base = labelBody(point.attributes);
  const open = base === '' ? '{' : `{${base},`;
  const plain = base === '' ? '' : `{${base}}`;
  let out = `${name}_count${plain} ${value(histogram.count)}\n`;
  if (histogram.sum !== undefined) out += `${name}_sum${plain} ${value(histogram.sum)}\n`;
  const { boundaries, counts } = histogram.buckets;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    cumulative += counts[i]!;
    const bound = boundaries[i];
    const le = bound === undefined || bound === Infinity ? '+Inf' : String(bound);
    out += `${name}_bucket${open}le="${le}"} ${cumulative}\n`;
    if (bound === Infinity) break;
  }
  return out;
}

function labels(attributes: Attributes): string {
  const body = labelBody(attributes);
  return body === '' ? '' : `{${body}}`;
}

/** `k="v",k2="v2"` for one attributes object, computed once per object. */
function labelBody(attributes: Attributes): string {
  let body = labelCache.get(attributes);
  if (body === undefined) {
    body = Object.entries(attributes)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k.replace(/[^a-zA-Z0-9_]/g, '_')}="${escapeLabelValue(v)}"`)
      .join(',');
    labelCache.set(attributes, body);
  }
  return body;
}

function targetInfo(resource: Attributes): string {
  let text = resourceCache.get(resource);
  if (text === undefined) {
    text = `# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info${labels(resource)} 1\n`;
    resourceCache.set(resource, text);
  }
  return text;
}

/** Label values: backslash, double quote and newline escaped; non-strings as JSON, as exporter-prometheus does. */
function escapeLabelValue(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function value(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return `${n}`;
}
