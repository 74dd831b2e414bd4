/**
 * The collecting side of aggregation, whatever carries the messages: at
 * each collection, asks every member that announced itself (a `node:cluster`
 * worker over IPC, a worker thread over its MessagePort) for its cumulative
 * points, one message each way per member per collection, never per call;
 * waits at most the collect timeout, and merges them with this process's own
 * points and those kept from members that exited (merge.ts).
 *
 * A member that does not answer in time is served with its last reported
 * points: leaving it out would make the counters dip, which Prometheus reads
 * as a counter reset and rate() as a burst. The miss is counted in
 * `inferometer_cluster_collect_misses_total`.
 *
 * Between collections a member may send points on its own, so what it
 * recorded is kept even when it ends before the next collection: a cluster
 * worker pushes all its counters and histograms every push interval when
 * any changed ({@link Aggregator.pushed}), and on its way out the series
 * that changed since its previous message ({@link Aggregator.update}).
 * Every message of a member replaces what it sent before, in the order it
 * sent them (one channel per member, collections serialized in the member).
 */
import { inflateRawSync } from 'node:zlib';
import { diag, type Attributes, type Meter } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import type { CollectionResult, DataPoint, Histogram, MetricData, MetricProducer, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { READ_ELSEWHERE, readableInSteps, readElsewhere, skippedHere, steppedCatalogOf, withoutProducer, type CatalogReading, type SteppedCatalog } from '../native/producer.js';
import { DeltaConverter } from './delta.js';
import type { LocalReader } from './local-reader.js';
import { attributesKey, mergeScopeMetrics, type MergeSource } from './merge.js';
import {
  ATTR_MISS_REASON,
  ATTR_WORKER_KIND,
  ATTR_WORKER_STATE,
  METRIC_CLUSTER_COLLECT_MISSES,
  METRIC_CLUSTER_WORKERS,
  MISS_BAD_ANSWER,
  MISS_SEND_FAILED,
  MISS_TIMEOUT,
  WIRE_VERSION,
  type WorkerKind,
} from './names.js';
import { decode } from './wire.js';
import { mergeParts, without, type MergedParts } from './parts.js';
import { runtime, type Contributions } from '@inferometer/core/internal';

const NOTHING: ReadonlySet<string> = new Set();

/**
 * Longest wait for a member whose catalog series are read from shared
 * memory (a worker thread): its answer carries only the rest (exponential
 * buckets, exemplars, its own instruments), served from its last answer
 * when it misses. A thread answers in about a millisecond when its event
 * loop runs; the bound keeps a parked piscina thread from adding the whole
 * collect timeout to every scrape.
 */
export const SHARED_MEMBER_WAIT_MILLIS = 250;

/** How the aggregator reaches one member. */
export interface MemberTransport {
  /** `process` (a cluster worker) or `thread` (a worker thread). */
  readonly kind: WorkerKind;
  /** For messages: `worker 3 (pid 1234)`, `thread 5`. */
  readonly label: string;
  /** Appended to the message of a miss: the usual cause for this kind of member. */
  readonly missHint?: string;
  /** Sends a collect request; calls `failed` (never throws) when it cannot be sent. */
  ask(id: number, failed: () => void): void;
  /**
   * The member's points read without asking it (a worker thread's series in
   * shared memory): current at every collection, final once it ended. They
   * add to what it answers, which then leaves them out.
   */
  readonly shared?: () => ScopeMetrics[];
}

interface Member {
  readonly key: string;
  readonly transport: MemberTransport;
  /** The last points it reported: served when it misses a collection, kept when it exits. */
  last: ScopeMetrics[] | undefined;
  /**
   * Points it sent on its own since its last full answer, by series: applied
   * over `last` only when `last` is needed (a miss, its exit), since the
   * next full answer replaces both.
   */
  updated: Map<string, UpdatedPoint> | undefined;
  /**
   * Its latest push, newer than `last`, as it came: raw-deflated JSON in
   * base64. Read only when needed (a miss, its exit), since the next answer
   * replaces it unread: a push costs the primary a scan of a short string
   * instead of building every point, and its memory one such string per member.
   */
  pushed: string | undefined;
  /** Set when its process ended: collections wait for its leave instead of asking it. */
  departing: { readonly left: Promise<void>; readonly resolve: () => void; readonly timer: NodeJS.Timeout } | undefined;
  /** Whether a message of it could not be read was told already. */
  toldBad: boolean;
  /** The thread parts (core's thread-parts.ts) of its last answer. */
  parts: Contributions | undefined;
  /** Whether a miss of this member was told to diag (once per member: a parked thread misses every collection). */
  warned: boolean;
}

/** One series of an update: its scope, its metric (the points aside) and its point. */
interface UpdatedPoint {
  readonly scope: ScopeMetrics['scope'];
  readonly metric: MetricData;
  readonly point: DataPoint<number | Histogram>;
}

type Answer = { points: ScopeMetrics[] } | { miss: string } | { gone: true };

/** Options of {@link Aggregator}. */
export interface AggregatorOptions {
  readonly local: LocalReader;
  readonly collectTimeoutMillis: number;
  /** Meter of this process's own provider, for the self-metrics. */
  readonly meter: Meter;
  /**
   * The catalog producer `local` reads, when the cumulative merge may be
   * read in steps (see native/producer.ts' SteppedCatalog): its points
   * read as the explicit kind only, as the pull endpoint serves them.
   */
  readonly catalog?: MetricProducer;
}

const KINDS: readonly WorkerKind[] = ['process', 'thread'];

/** Gathers and merges its members' points; one per `start()` in a process's main thread. */
export class Aggregator {
  private readonly _members = new Map<string, Member>();
  private readonly _pending = new Map<number, { readonly member: string; readonly finish: (answer: Answer) => void }>();
  private _retired: ScopeMetrics[] = [];
  /** This process's own points at the last collection: what {@link Aggregator.collectNow} cannot read at once (instruments outside the catalog). */
  private _lastOwn: ScopeMetrics[] = [];
  private readonly _exited: Record<WorkerKind, number> = { process: 0, thread: 0 };
  private _nextId = 1;
  private _closed = false;
  private readonly _countMiss: (reason: string, kind: WorkerKind) => void;

  constructor(private readonly _options: AggregatorOptions) {
    const { meter } = _options;
    const misses = meter.createCounter(METRIC_CLUSTER_COLLECT_MISSES.name, { unit: METRIC_CLUSTER_COLLECT_MISSES.unit, description: METRIC_CLUSTER_COLLECT_MISSES.description });
    const missAttributes = new Map<string, Attributes>();
    for (const kind of KINDS) {
      for (const reason of [MISS_TIMEOUT, MISS_SEND_FAILED, MISS_BAD_ANSWER]) missAttributes.set(`${kind}:${reason}`, { [ATTR_MISS_REASON]: reason, [ATTR_WORKER_KIND]: kind });
    }
    this._countMiss = (reason, kind) => misses.add(1, missAttributes.get(`${kind}:${reason}`));
    const workers = meter.createObservableGauge(METRIC_CLUSTER_WORKERS.name, { unit: METRIC_CLUSTER_WORKERS.unit, description: METRIC_CLUSTER_WORKERS.description });
    workers.addCallback((result) => {
      for (const kind of KINDS) {
        let reporting = 0;
        for (const member of this._members.values()) if (member.transport.kind === kind) reporting++;
        // Only the kinds this process has: a cluster without threads shows no thread series.
        if (reporting === 0 && this._exited[kind] === 0) continue;
        result.observe(reporting, { [ATTR_WORKER_STATE]: 'reporting', [ATTR_WORKER_KIND]: kind });
        result.observe(this._exited[kind], { [ATTR_WORKER_STATE]: 'exited', [ATTR_WORKER_KIND]: kind });
      }
    });
  }

  /** Whether `key` is a member now. */
  has(key: string): boolean {
    return this._members.has(key);
  }

  /** Adds a member (a worker that announced itself); a second announcement of the same key changes nothing. */
  join(key: string, transport: MemberTransport): void {
    if (this._closed || this._members.has(key)) return;
    this._members.set(key, { key, transport, last: undefined, updated: undefined, pushed: undefined, departing: undefined, toldBad: false, parts: undefined, warned: false });
  }

  /**
   * An answer to collect request `id` from member `key`: its wire version and
   * payload (and a thread's parts). Kept as the member's last points even when it comes late (that
   * collection was answered already): it is newer than anything the member sent before.
   */
  answer(key: string, id: number, version: unknown, payload: unknown, parts?: Contributions): void {
    const member = this._members.get(key);
    let pending = this._pending.get(id);
    // Not this member's request.
    if (pending !== undefined && pending.member !== key) pending = undefined;
    if (member === undefined) return;
    if (version !== WIRE_VERSION) {
      pending?.finish({ miss: MISS_BAD_ANSWER });
      return;
    }
    let points: ScopeMetrics[];
    try {
      points = decode(payload);
    } catch (err) {
      diag.error(`@inferometer/node cluster: ${member.transport.label} sent points that cannot be read`, err);
      pending?.finish({ miss: MISS_BAD_ANSWER });
      return;
    }
    member.last = points;
    member.parts = parts;
    member.updated = undefined;
    member.pushed = undefined;
    pending?.finish({ points });
  }

  /**
   * A push of member `key`: all its counters and histograms (the wire
   * payload's JSON, raw-deflated, in base64), replacing those it sent before (its gauges stay as its
   * last answer had them: they are read at collections, and an exited
   * member's do not count). Read only when needed.
   */
  pushed(key: string, version: unknown, payload: unknown): void {
    const member = this._members.get(key);
    if (member === undefined) return;
    if (version !== WIRE_VERSION || typeof payload !== 'string') {
      this._tellBad(member, new Error(`a push of wire version ${String(version)} (expected ${WIRE_VERSION}) as ${typeof payload}`));
      return;
    }
    // What came before, in order: a push replaces only what it covers.
    if (member.updated !== undefined) this._lastOf(member);
    member.pushed = payload;
  }

  /**
   * Points member `key` sent on its way out: the counters and histograms
   * that changed since its previous message, each replacing that series'
   * point. Only counters and histograms come this way: they are what stays
   * after a member exits.
   */
  update(key: string, version: unknown, payload: unknown): void {
    const member = this._members.get(key);
    if (member === undefined) return;
    let points: ScopeMetrics[];
    try {
      if (version !== WIRE_VERSION) throw new Error(`wire version ${String(version)}, expected ${WIRE_VERSION}`);
      points = decode(payload);
    } catch (err) {
      this._tellBad(member, err);
      return;
    }
    member.updated ??= new Map();
    for (const { scope, metrics } of points) {
      for (const metric of metrics) {
        const prefix = `${scope.name}\u0000${scope.version ?? ''}\u0000${metric.descriptor.name}\u0000`;
        for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) member.updated.set(prefix + attributesKey(point.attributes), { scope, metric, point });
      }
    }
  }

  /**
   * Member `key`'s process ended, and its channel may still hold its final
   * points: collections wait for its {@link Aggregator.leave} (at most the
   * collect timeout) instead of asking it, and it leaves by itself after that timeout.
   */
  departing(key: string): void {
    const member = this._members.get(key);
    if (member === undefined || member.departing !== undefined) return;
    let resolve!: () => void;
    const left = new Promise<void>((done) => (resolve = done));
    const timer = setTimeout(() => this.leave(key), this._options.collectTimeoutMillis);
    // A departure must not keep the process alive.
    timer.unref();
    member.departing = { left, resolve, timer };
  }

  /**
   * A member is gone. Its counters and histograms stay in the sums: the
   * last it reported, with its latest push and the series of its final
   * points ({@link Aggregator.update}) applied, and `final` (a thread's
   * catalog at its end) replacing the metrics it has. Calls it made after
   * the last of these are lost with it.
   */
  leave(key: string, final?: unknown): void {
    const member = this._members.get(key);
    if (member === undefined) return;
    this._members.delete(key);
    this._exited[member.transport.kind]++;
    // A collection waiting on it needs not wait for the timeout.
    for (const pending of [...this._pending.values()]) if (pending.member === key) pending.finish({ gone: true });
    let kept = this._lastOf(member);
    if (final !== undefined) {
      try {
        kept = replaceMetrics(kept ?? [], decode(final));
      } catch (err) {
        diag.error(`@inferometer/node cluster: ${member.transport.label} sent final points that cannot be read; keeping its last reported ones`, err);
      }
    }
    // Its shared numbers are final now that it ended: read once more, then let go.
    const shared = readShared(member.transport);
    // Folded into one set, so memory follows the label sets, not the number of restarts.
    if (kept !== undefined || shared.length > 0) {
      this._retired = mergeScopeMetrics(
        [
          { scopeMetrics: this._retired, alive: false },
          { scopeMetrics: kept ?? [], alive: false },
          { scopeMetrics: shared, alive: false },
        ],
        hrTime(),
      );
    }
    if (member.departing !== undefined) {
      clearTimeout(member.departing.timer);
      member.departing.resolve();
    }
  }

  /** A producer of the merged points for one reader: cumulative ones share the merge, each delta reader converts on its own. */
  producer(temporality: 'cumulative' | 'delta'): MetricProducer {
    const converter = temporality === 'delta' ? new DeltaConverter() : undefined;
    const producer: MetricProducer = {
      collect: async (): Promise<CollectionResult> => {
        // The pull handler reads it in steps itself (_begin).
        if (skippedHere(producer)) return readElsewhere();
        const endTime = hrTime();
        const merged = await this.collect();
        const scopeMetrics = converter === undefined ? merged : converter.convert(merged, endTime);
        return { resourceMetrics: { resource: emptyResource(), scopeMetrics }, errors: [] };
      },
    };
    const catalog = this._options.catalog;
    const local = catalog === undefined || converter !== undefined ? undefined : steppedCatalogOf(catalog);
    if (catalog !== undefined && local !== undefined) {
      readableInSteps(producer, {
        steppable: () => this._members.size === 0 && this._retired.length === 0 && local.steppable(),
        begin: () => this._begin(catalog, local),
      });
    }
    return producer;
  }

  /**
   * One collection of the cumulative merge for a reader that reads the
   * catalog in steps: while no member is joined and nothing is kept of
   * exited ones, the merge is this process's own points as they are (see
   * {@link _merge}): its instruments now, its catalog in steps; otherwise
   * the whole merge, as {@link collect} gives it.
   */
  private async _begin(catalog: MetricProducer, local: SteppedCatalog): Promise<CatalogReading> {
    if (this._members.size > 0 || this._retired.length > 0) return { whole: await this.collect() };
    const reading = await local.begin();
    if ('whole' in reading) return { whole: await this.collect() };
    const own = await withoutProducer(catalog, () => this._options.local.collect());
    for (const error of own.errors) diag.error("@inferometer/node cluster: collecting this process's own metrics failed", error);
    // Where the local reader would have put the catalog (its own producer's place).
    const scopes = own.resourceMetrics.scopeMetrics;
    const at = scopes.findIndex((scope) => scope.scope === READ_ELSEWHERE);
    const rest = at < 0 ? scopes : scopes.slice(0, at);
    const after = at < 0 ? [] : scopes.slice(at + 1);
    // collectNow() puts the catalog's points read at once beside these.
    this._lastOwn = [...rest, ...after];
    return { rest: [...reading.rest, ...rest], readParts: reading.readParts, readWhole: reading.readWhole, after };
  }

  /** The cumulative points of this process and every member: own, every reporting member's, and the exited members' kept ones. */
  async collect(): Promise<ScopeMetrics[]> {
    const members = [...this._members.values()];
    // Answers first, so a miss counted now shows in this very collection's
    // points; a member whose process ended is not asked, its final points are awaited.
    await Promise.all(members.map((member) => (member.departing === undefined ? this._ask(member) : member.departing.left)));
    const own = await this._options.local.collect();
    for (const error of own.errors) diag.error("@inferometer/node cluster: collecting this process's own metrics failed", error);
    this._lastOwn = own.resourceMetrics.scopeMetrics;
    // State combined across threads (drift windows) replaces their per-thread points.
    const parts = members.some((member) => member.parts !== undefined)
      ? await mergeParts(
          runtime().threadParts.produce(),
          members.map((member) => member.parts),
          hrTime(),
        )
      : undefined;
    return this._merge(own.resourceMetrics.scopeMetrics, parts);
  }

  /**
   * The same at once, without yielding, for the moment this process ends
   * (process 'exit', where no promise settles any more): `catalogNow`, the
   * catalog's points read now, replaces those metrics in this process's
   * points of the last collection; members are served with their last points.
   */
  collectNow(catalogNow: readonly ScopeMetrics[]): ScopeMetrics[] {
    return this._merge(replaceMetrics(this._lastOwn, catalogNow));
  }

  /** Stops asking; collections in flight resolve with what they have. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    for (const { finish } of [...this._pending.values()]) finish({ gone: true });
    for (const member of this._members.values()) {
      if (member.departing === undefined) continue;
      clearTimeout(member.departing.timer);
      member.departing.resolve();
    }
  }

  private _merge(own: ScopeMetrics[], parts?: MergedParts): ScopeMetrics[] {
    const replaced = parts?.replaces ?? NOTHING;
    const sources: MergeSource[] = [{ scopeMetrics: without(own, replaced), alive: true }];
    if (parts !== undefined && parts.scopeMetrics.length > 0) sources.push({ scopeMetrics: parts.scopeMetrics, alive: true });
    for (const member of this._members.values()) {
      const last = this._lastOf(member);
      if (last !== undefined) sources.push({ scopeMetrics: without(last, replaced), alive: true });
      const shared = readShared(member.transport);
      if (shared.length > 0) sources.push({ scopeMetrics: shared, alive: true });
    }
    if (this._retired.length > 0) sources.push({ scopeMetrics: this._retired, alive: false });
    // One source (no member ever reported): its points as they are.
    if (sources.length === 1) return own;
    return mergeScopeMetrics(sources, hrTime());
  }

  /** A member's last points with what it sent on its own since applied (once: the result becomes its last points). */
  private _lastOf(member: Member): ScopeMetrics[] | undefined {
    if (member.pushed !== undefined) {
      const text = member.pushed;
      member.pushed = undefined;
      try {
        member.last = replaceMetrics(member.last ?? [], decode(JSON.parse(inflateRawSync(Buffer.from(text, 'base64')).toString('utf8'))));
      } catch (err) {
        this._tellBad(member, err);
      }
    }
    if (member.updated !== undefined && member.updated.size > 0) member.last = applyUpdates(member.last ?? [], member.updated);
    member.updated = undefined;
    return member.last;
  }

  private _tellBad(member: Member, err: unknown): void {
    if (!member.toldBad) diag.error(`@inferometer/node cluster: ${member.transport.label} sent points that cannot be read; serving what it reported before`, err);
    member.toldBad = true;
  }

  private _ask(member: Member): Promise<Answer> {
    const id = this._nextId++;
    const { transport } = member;
    return new Promise<Answer>((resolve) => {
      // A member whose series are read from shared memory is waited for
      // briefly: only its other points depend on its answer, and a piscina
      // thread parked between tasks (atomics: 'sync') never answers.
      const wait = transport.shared === undefined ? this._options.collectTimeoutMillis : Math.min(this._options.collectTimeoutMillis, SHARED_MEMBER_WAIT_MILLIS);
      const timer = setTimeout(() => finish({ miss: MISS_TIMEOUT }), wait);
      // A scrape in flight must not keep the process alive.
      timer.unref();
      const finish = (answer: Answer): void => {
        if (!this._pending.delete(id)) return;
        clearTimeout(timer);
        if ('miss' in answer) {
          this._countMiss(answer.miss, transport.kind);
          if (!member.warned) diag.warn(`@inferometer/node cluster: ${transport.label} missed a collection (${answer.miss}); serving its last reported points${transport.missHint ?? ''}`);
          member.warned = true;
        }
        resolve(answer);
      };
      this._pending.set(id, { member: member.key, finish });
      transport.ask(id, () => finish({ miss: MISS_SEND_FAILED }));
    });
  }
}

/** A member's shared points; a failure to read them is ours, told to diag, never the caller's. */
function readShared(transport: MemberTransport): ScopeMetrics[] {
  if (transport.shared === undefined) return [];
  try {
    return transport.shared();
  } catch (err) {
    diag.error(`@inferometer/node threads: reading ${transport.label}'s shared series failed`, err);
    return [];
  }
}

/** `last` with each updated series' point replaced (or added, for a series or metric new since). */
function applyUpdates(last: readonly ScopeMetrics[], updated: ReadonlyMap<string, UpdatedPoint>): ScopeMetrics[] {
  // By scope and metric: the updates left once `last` has been walked are series it did not have.
  const byMetric = new Map<string, { scope: ScopeMetrics['scope']; metric: MetricData; points: Map<string, DataPoint<number | Histogram>> }>();
  for (const { scope, metric, point } of updated.values()) {
    const key = `${scope.name}\u0000${scope.version ?? ''}\u0000${metric.descriptor.name}`;
    let entry = byMetric.get(key);
    if (entry === undefined) byMetric.set(key, (entry = { scope, metric, points: new Map() }));
    entry.points.set(attributesKey(point.attributes), point);
  }
  const out: ScopeMetrics[] = [];
  const scopes = new Map<string, ScopeMetrics>();
  for (const { scope, metrics } of last) {
    const scopeKey = `${scope.name}\u0000${scope.version ?? ''}`;
    const replaced: MetricData[] = metrics.map((metric) => {
      const entry = byMetric.get(`${scopeKey}\u0000${metric.descriptor.name}`);
      if (entry === undefined || entry.metric.dataPointType !== metric.dataPointType) return metric;
      byMetric.delete(`${scopeKey}\u0000${metric.descriptor.name}`);
      const points = (metric.dataPoints as DataPoint<number | Histogram>[]).map((point) => {
        const key = attributesKey(point.attributes);
        const newer = entry.points.get(key);
        if (newer === undefined) return point;
        entry.points.delete(key);
        return newer;
      });
      points.push(...entry.points.values());
      return { ...metric, dataPoints: points } as MetricData;
    });
    const scoped = { scope, metrics: replaced };
    scopes.set(scopeKey, scoped);
    out.push(scoped);
  }
  for (const { scope, metric, points } of byMetric.values()) {
    const scopeKey = `${scope.name}\u0000${scope.version ?? ''}`;
    let scoped = scopes.get(scopeKey);
    if (scoped === undefined) {
      scopes.set(scopeKey, (scoped = { scope, metrics: [] }));
      out.push(scoped);
    }
    scoped.metrics.push({ ...metric, dataPoints: [...points.values()] } as MetricData);
  }
  return out;
}

/**
 * `last` with every metric that `final` has replaced by final's: a thread's
 * points at exit cover the catalog only, its last reported ones everything
 * its MeterProvider recorded.
 */
function replaceMetrics(last: readonly ScopeMetrics[], final: readonly ScopeMetrics[]): ScopeMetrics[] {
  const replaced = new Set<string>();
  for (const { scope, metrics } of final) for (const metric of metrics) replaced.add(`${scope.name}\u0000${metric.descriptor.name}`);
  const kept = last
    .map(({ scope, metrics }) => ({ scope, metrics: metrics.filter((metric) => !replaced.has(`${scope.name}\u0000${metric.descriptor.name}`)) }))
    .filter(({ metrics }) => metrics.length > 0);
  return [...kept, ...final];
}
