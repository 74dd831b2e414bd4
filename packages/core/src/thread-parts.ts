import type { Attributes, HrTime } from '@opentelemetry/api';

/**
 * State a sibling package keeps per thread that cannot be summed as points
 * and must be combined before it becomes one (drift: a score over the
 * union of the threads' windows is not the sum or the largest of their
 * scores). A worker thread sends each part's {@link ThreadPart.produce}
 * beside the points of every answer to the main thread; the main thread
 * hands all of them, its own included, to the part's {@link PartMerger},
 * whose points replace the per-thread ones of the metrics it names.
 *
 * @internal
 */
export interface ThreadPart {
  /**
   * The module exporting this part's merger as {@link MERGER_EXPORT}, for a
   * main thread that never imported the package itself (a piscina pool's
   * drift lives in the pool's threads): it is imported there on first need.
   */
  readonly module: string;
  /** This thread's contribution now: structured-cloneable, never throws into the caller (a failure is the part's to report). */
  produce(): unknown;
}

/** A merged gauge point, as sdk-metrics' data points. @internal */
export interface PartPoint {
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly attributes: Attributes;
  readonly value: number;
}

/** What a merger makes of every thread's contribution. @internal */
export interface PartMerge {
  /** Gauges of the merged state, by metric: name, description and unit as the catalog has them. */
  readonly gauges: readonly { readonly name: string; readonly description: string; readonly unit: string; readonly points: readonly PartPoint[] }[];
  /** Instrumentation scope of the gauges. */
  readonly scope: string;
  /** Metrics whose per-thread points the merged ones replace. */
  readonly replaces: readonly string[];
}

/** Combines the contributions of every thread (the main thread's own among them) into points. @internal */
export type PartMerger = (contributions: readonly unknown[], endTime: HrTime) => PartMerge;

/** Name of the export, in a part's {@link ThreadPart.module}, holding its {@link PartMerger}. @internal */
export const MERGER_EXPORT = 'mergeThreadParts';

/** Contributions of one thread, by part name, as sent to the main thread. @internal */
export type Contributions = Record<string, { readonly module: string; readonly payload: unknown }>;

/**
 * The process's (thread's) parts and mergers, owned by the runtime.
 *
 * @internal
 */
export class ThreadParts {
  private readonly _parts = new Map<string, ThreadPart>();
  private readonly _mergers = new Map<string, PartMerger>();

  /** Registers this thread's part `name` (once; a second registration keeps the first). */
  provide(name: string, part: ThreadPart): void {
    if (!this._parts.has(name)) this._parts.set(name, part);
  }

  /** Registers the merger of part `name` in this thread. */
  addMerger(name: string, merger: PartMerger): void {
    if (!this._mergers.has(name)) this._mergers.set(name, merger);
  }

  merger(name: string): PartMerger | undefined {
    return this._mergers.get(name);
  }

  /** Every part's contribution now; undefined without parts. */
  produce(): Contributions | undefined {
    if (this._parts.size === 0) return undefined;
    const out: Record<string, { module: string; payload: unknown }> = {};
    for (const [name, part] of this._parts) out[name] = { module: part.module, payload: part.produce() };
    return out;
  }
}
