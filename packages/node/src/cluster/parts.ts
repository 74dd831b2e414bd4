/**
 * The main thread's side of core's thread parts (thread-parts.ts): state a
 * sibling package combines across threads before it becomes points (drift's
 * windows). Each thread's answer carries its contributions; at collection
 * the main thread hands every thread's, and its own, to the part's merger
 * and serves the merged points in place of the per-thread ones.
 *
 * A merger is the one the main thread registered by loading the package
 * itself, else the export {@link MERGER_EXPORT} of the module the part
 * names, imported on first need (a piscina pool's drift lives in its
 * threads only). Modules outside the `@inferometer/` scope are not
 * imported. A part that cannot be merged keeps the per-thread points (the
 * largest per label set, as any gauge) and says so once.
 */
import { diag, ValueType, type HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { MERGER_EXPORT, runtime, type Contributions, type PartMerger } from '@inferometer/core/internal';

const SCOPE_PREFIX = '@inferometer/';
const loading = new Map<string, Promise<PartMerger | undefined>>();

function isMerger(value: unknown): value is PartMerger {
  return typeof value === 'function';
}

/** The merger of part `name`, from this thread's registrations or the part's module. */
async function mergerFor(name: string, module: string): Promise<PartMerger | undefined> {
  const registered = runtime().threadParts.merger(name);
  if (registered !== undefined) return registered;
  if (!module.startsWith(SCOPE_PREFIX)) return undefined;
  let found = loading.get(module);
  if (found === undefined) {
    found = import(module).then(
      (loaded: Record<string, unknown>) => {
        const merger = loaded[MERGER_EXPORT];
        return isMerger(merger) ? merger : undefined;
      },
      (err: unknown) => {
        diag.warn(`@inferometer/node threads: cannot load ${module} to combine the threads' ${name}; each thread's own values are served (install ${module.split('/').slice(0, 2).join('/')} beside @inferometer/node)`, err);
        return undefined;
      },
    );
    loading.set(module, found);
  }
  return found;
}

/** Merged points of every part, and the metrics whose per-member points they replace. */
export interface MergedParts {
  readonly scopeMetrics: ScopeMetrics[];
  readonly replaces: ReadonlySet<string>;
}

/** Merges the parts of this thread (`own`) and every member (`members`). */
export async function mergeParts(own: Contributions | undefined, members: readonly (Contributions | undefined)[], endTime: HrTime): Promise<MergedParts> {
  const byName = new Map<string, { module: string; payloads: unknown[] }>();
  for (const contributions of [own, ...members]) {
    if (contributions === undefined || contributions === null || typeof contributions !== 'object') continue;
    for (const [name, entry] of Object.entries(contributions)) {
      if (entry === null || typeof entry !== 'object' || typeof entry.module !== 'string') continue;
      let found = byName.get(name);
      if (found === undefined) byName.set(name, (found = { module: entry.module, payloads: [] }));
      found.payloads.push(entry.payload);
    }
  }
  const scopeMetrics: ScopeMetrics[] = [];
  const replaces = new Set<string>();
  for (const [name, { module, payloads }] of byName) {
    const merger = await mergerFor(name, module);
    if (merger === undefined) continue;
    try {
      const merged = merger(payloads, endTime);
      const metrics: MetricData[] = merged.gauges
        .filter((gauge) => gauge.points.length > 0)
        .map((gauge) => ({
          descriptor: { name: gauge.name, description: gauge.description, unit: gauge.unit, valueType: ValueType.DOUBLE },
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.GAUGE,
          dataPoints: gauge.points.map((point) => ({ ...point })),
        }));
      for (const metric of merged.replaces) replaces.add(metric);
      if (metrics.length > 0) scopeMetrics.push({ scope: { name: merged.scope }, metrics });
    } catch (err) {
      diag.error(`@inferometer/node threads: combining the threads' ${name} failed; each thread's own values are served`, err);
    }
  }
  return { scopeMetrics, replaces };
}

/** `scopeMetrics` without the metrics in `names`. */
export function without(scopeMetrics: readonly ScopeMetrics[], names: ReadonlySet<string>): ScopeMetrics[] {
  if (names.size === 0) return [...scopeMetrics];
  return scopeMetrics.map(({ scope, metrics }) => ({ scope, metrics: metrics.filter((metric) => !names.has(metric.descriptor.name)) })).filter(({ metrics }) => metrics.length > 0);
}
