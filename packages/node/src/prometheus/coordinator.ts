/**
 * One collection and one rendered body per format, escaping and encoding, shared by
 * every scrape that arrives while the collection runs: 200 scrapers at once
 * cost one collection and one 16 MB body, not 200 of each, and the limit on
 * concurrent scrapes counts those bodies, not the sockets reading them.
 */
import { createGzip, constants as zlib } from 'node:zlib';
import type { MetricData, ResourceMetrics, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { INSTRUMENTATION_SCOPE } from '@inferometer/core/catalog';
import type { EscapingScheme } from '@inferometer/core/prometheus';
import type { ExpositionFormat } from './negotiation.js';
import { encodeProtobufExposition } from './protobuf/index.js';
import { ChunkPool, serializeChunks, SteppedFamilies, type RenderedFamilies } from './serializer.js';
import type { SteppedCatalog } from '../native/producer.js';

/** What a collection came to: the data, or why there is none. */
export type Collected =
  | { readonly ok: true; readonly resourceMetrics: ResourceMetrics }
  | { readonly ok: false; readonly error: unknown; readonly timedOut: boolean; readonly cause?: 'callback' | 'producer' };

/** A rendered exposition: chunks to write in order, and their total size (Content-Length). */
export interface Body {
  readonly chunks: readonly Buffer[];
  readonly bytes: number;
}

/** How bodies are rendered. */
export interface RenderOptions {
  /** `_created` samples in OpenMetrics. */
  readonly created: boolean;
  /** `created_timestamp` in the protobuf exposition (default `true`). */
  readonly createdTimestamps?: boolean;
  /** Called with each family left out because its name collided with an earlier one's. */
  readonly onDroppedFamily: (name: string) => void;
  /** Called once per body rendered, with its format and the seconds it took (wall time, first byte to last). */
  readonly onRendered?: (format: ExpositionFormat, seconds: number) => void;
  /** Called once per body whose rendering failed (however many scrapes were waiting for it). */
  readonly onRenderFailed?: (format: ExpositionFormat) => void;
}

/** Bytes of exposition serialized between two yields to the event loop. */
export const RENDER_CHUNK_BYTES = 64 * 1024;
/**
 * gzip level: 1 (fastest). The exposition is repetitive text; level 1
 * already shrinks it about 10-fold, and the compression runs on libuv's
 * thread pool, competing with the serving thread for the machine's cores.
 */
export const GZIP_LEVEL = zlib.Z_BEST_SPEED;

/** The key of one body of a round: its format, escaping scheme and encoding (`underscores` writes what no escaping writes: one body for both). */
export function bodyKey(format: ExpositionFormat, gzip: boolean, escaping?: EscapingScheme): string {
  const scheme = escaping === 'underscores' ? undefined : escaping;
  return `${format}${scheme === undefined ? '' : `;${scheme}`}${gzip ? '+gzip' : ''}`;
}

/** One collection and the bodies rendered from it. */
export class ScrapeRound {
  private readonly _bodies = new Map<string, Promise<Body>>();
  /** Scrapes being answered, per body key: a body counts against the limit while it has any. */
  private readonly _readers = new Map<string, number>();
  /** Plain bodies' chunks, handed back to the pool once no scrape of this round is left. */
  private readonly _pooled: Buffer[] = [];
  private _users = 0;
  settled = false;
  /** When the collection settled with data, or last finished reading the catalog (`performance.now()`); else undefined. */
  succeededAt: number | undefined;
  /** Catalog readings in progress (see {@link _rendered}). */
  private _reading = 0;

  /** The catalog written in steps, per format and escaping (see {@link _rendered}). */
  private readonly _catalogRenders = new Map<string, Promise<SteppedRender>>();
  /** The catalog's points, where they have to be serialized with the reader's (see {@link _source}). */
  private _catalogPoints: Promise<ScopeMetrics[]> | undefined;

  constructor(
    readonly collected: Promise<Collected>,
    private readonly _render: RenderOptions,
    private readonly _pool: ChunkPool,
    /** The catalog, when the collection leaves it out to be read here in steps. */
    private readonly _catalog?: SteppedCatalog,
  ) {
    void collected.then((result) => {
      this.settled = true;
      if (result.ok) this.succeededAt = performance.now();
      this._recycle();
    });
  }

  /** Whether a scrape is being answered this body (format and encoding) of this round now: another joins it without a body of its own. */
  serving(key: string): boolean {
    return (this._readers.get(key) ?? 0) > 0;
  }

  /** A scrape uses this round's body `key` until {@link leave} (its response closed). */
  enter(key: string): void {
    this._users++;
    this._readers.set(key, (this._readers.get(key) ?? 0) + 1);
  }

  /**
   * Whether the catalog is being read for one of this round's bodies: the
   * collection is still in flight, and a scrape arriving now shares it (a
   * catalog read in steps takes most of a collection's time).
   */
  get reading(): boolean {
    return this._reading > 0;
  }

  /** Whether a scrape is still being answered from this round. */
  get inUse(): boolean {
    return this._users > 0;
  }

  /** A scrape of body `key` is done; true when it was that body's last reader. */
  leave(key: string): boolean {
    this._users--;
    const left = (this._readers.get(key) ?? 1) - 1;
    if (left > 0) this._readers.set(key, left);
    else this._readers.delete(key);
    this._recycle();
    return left <= 0;
  }

  /**
   * Once settled (no scrape joins any more) and left by every scrape, the
   * body buffers go back to the pool: the next scrape's body reuses them
   * instead of allocating 16 MB again, which showed up as garbage
   * collection pauses in the serving thread.
   */
  private _recycle(): void {
    if (!this.settled || this._users > 0) return;
    this._bodies.clear();
    this._catalogRenders.clear();
    for (const chunk of this._pooled.splice(0)) this._pool.release(chunk);
  }

  /** The body for a format, escaping scheme and encoding, rendered once however many scrapes ask. */
  body(resourceMetrics: ResourceMetrics, format: ExpositionFormat, gzip: boolean, escaping?: EscapingScheme): Promise<Body> {
    const key = bodyKey(format, gzip, escaping);
    let body = this._bodies.get(key);
    if (body === undefined) {
      // `underscores` writes what no escaping writes: one body for both.
      const scheme = escaping === 'underscores' ? undefined : escaping;
      const started = performance.now();
      const { onRendered, onRenderFailed } = this._render;
      body = (gzip ? this._gzipped(resourceMetrics, format, scheme) : this._plain(resourceMetrics, format, scheme)).then(
        (rendered) => {
          onRendered?.(format, (performance.now() - started) / 1000);
          return rendered;
        },
        (err: unknown) => {
          onRenderFailed?.(format);
          throw err;
        },
      );
      this._bodies.set(key, body);
    }
    return body;
  }

  private async _plain(resourceMetrics: ResourceMetrics, format: ExpositionFormat, escaping: EscapingScheme | undefined): Promise<Body> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const source = await this._source(resourceMetrics, format, escaping);
    for (const chunk of this._serialize(source, format, escaping, this._pool.allocate)) {
      chunks.push(chunk);
      // The catalog's chunks are the round's already (see _rendered).
      if (format !== 'protobuf' && source.rendered?.owns(chunk) !== true) this._pooled.push(chunk);
      bytes += chunk.length;
      await nextTurn();
    }
    return { chunks, bytes };
  }

  /** Serializes into pooled buffers and compresses them on libuv's thread pool (zlib's async API), a chunk at a time. */
  private async _gzipped(resourceMetrics: ResourceMetrics, format: ExpositionFormat, escaping: EscapingScheme | undefined): Promise<Body> {
    const gzip = createGzip({ level: GZIP_LEVEL, chunkSize: RENDER_CHUNK_BYTES });
    const chunks: Buffer[] = [];
    let bytes = 0;
    gzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      bytes += chunk.length;
    });
    const ended = new Promise<void>((resolve, reject) => {
      gzip.once('end', resolve);
      gzip.once('error', reject);
    });
    try {
      const source = await this._source(resourceMetrics, format, escaping);
      for (const chunk of this._serialize(source, format, escaping, this._pool.allocate)) {
        // The serializer's buffer goes back to the pool once zlib has read
        // it; the catalog's stay with the round (a plain body may share them).
        const more = gzip.write(chunk, () => {
          if (format !== 'protobuf' && source.rendered?.owns(chunk) !== true) this._pool.release(chunk);
        });
        if (!more) await new Promise<void>((resolve) => gzip.once('drain', resolve));
        else await nextTurn();
      }
      gzip.end();
      await ended;
    } finally {
      gzip.destroy();
    }
    return { chunks, bytes };
  }

  private _serialize(source: Source, format: ExpositionFormat, escaping: EscapingScheme | undefined, allocate: (size: number) => Buffer): Generator<Buffer> {
    // The protobuf body is encoded in one piece (a tenth of the text's size
    // for native histograms) into its own buffer, not a pooled one.
    if (format === 'protobuf') return oneChunk(encodeProtobufExposition(source.resourceMetrics, { escaping, createdTimestamps: this._render.createdTimestamps }));
    return serializeChunks(source.resourceMetrics, RENDER_CHUNK_BYTES, allocate, {
      format,
      escaping,
      created: this._render.created,
      onDroppedFamily: this._render.onDroppedFamily,
      ...(source.rendered === undefined ? {} : { rendered: source.rendered }),
    });
  }

  /**
   * What a body is serialized from: the reader's collection and, when the
   * catalog is read here, the catalog written in steps (text formats) or
   * its points added to the collection (protobuf; or a reader family that
   * shares a name with a catalog family, which the two must then be
   * serialized together to merge or leave out, as they always were).
   */
  private async _source(resourceMetrics: ResourceMetrics, format: ExpositionFormat, escaping: EscapingScheme | undefined): Promise<Source> {
    if (this._catalog === undefined) return { resourceMetrics, rendered: undefined };
    if (format !== 'protobuf') {
      const { families, rest } = await this._rendered(this._catalog, format, escaping);
      const beside = rest.length === 0 ? resourceMetrics : { ...resourceMetrics, scopeMetrics: [...resourceMetrics.scopeMetrics, ...rest] };
      if (families.fitsBeside(beside.scopeMetrics, escaping)) return { resourceMetrics: beside, rendered: families };
    }
    const scopes = await (this._catalogPoints ??= this._reads(allParts(this._catalog)));
    return { resourceMetrics: { ...resourceMetrics, scopeMetrics: [...resourceMetrics.scopeMetrics, ...scopes] }, rendered: undefined };
  }

  /**
   * The catalog written in steps for a format and escaping, once per round
   * (a plain and a gzip body share it): each step's points are written as
   * soon as they are read and then dropped, so the round never holds a
   * whole collection's points (see native/producer.ts' SteppedCatalog).
   * Its chunks belong to the round from then on, back to the pool when
   * the round is done.
   */
  private _rendered(catalog: SteppedCatalog, format: ExpositionFormat, escaping: EscapingScheme | undefined): Promise<SteppedRender> {
    const key = bodyKey(format, false, escaping);
    let rendered = this._catalogRenders.get(key);
    if (rendered === undefined) {
      const families = new SteppedFamilies({ format, escaping, created: this._render.created }, RENDER_CHUNK_BYTES, this._pool.allocate);
      rendered = this._reads(catalog.collectParts((metrics) => families.add(metrics))).then((rest) => {
        const done = families.finish();
        this._pooled.push(...done.chunks);
        this._recycle();
        return { families: done, rest };
      });
      this._catalogRenders.set(key, rendered);
    }
    return rendered;
  }

  /** Counts `reading` as part of this round's collection while it runs (see {@link reading}); the share window starts again when it is done. */
  private _reads<T>(reading: Promise<T>): Promise<T> {
    this._reading++;
    return reading.then(
      (value) => {
        this._reading--;
        this.succeededAt = performance.now();
        return value;
      },
      (err: unknown) => {
        this._reading--;
        throw err;
      },
    );
  }
}

/** A catalog written in steps, and the rest of what its producer serves. */
interface SteppedRender {
  readonly families: RenderedFamilies;
  readonly rest: ScopeMetrics[];
}

/** What one body is serialized from (see ScrapeRound._source). */
interface Source {
  readonly resourceMetrics: ResourceMetrics;
  readonly rendered: RenderedFamilies | undefined;
}

const CATALOG_SCOPE = { name: INSTRUMENTATION_SCOPE };

/** A whole collection of a stepped catalog, each metric's parts put together, after the rest. */
async function allParts(catalog: SteppedCatalog): Promise<ScopeMetrics[]> {
  const metrics = new Map<string, MetricData>();
  const rest = await catalog.collectParts((part) => {
    for (const metric of part) {
      const key = `${metric.descriptor.name}\u0000${metric.dataPointType}`;
      const found = metrics.get(key);
      if (found === undefined) metrics.set(key, { ...metric, dataPoints: [...metric.dataPoints] } as MetricData);
      else (found.dataPoints as unknown[]).push(...metric.dataPoints);
    }
  });
  return metrics.size === 0 ? rest : [...rest, { scope: CATALOG_SCOPE, metrics: [...metrics.values()] }];
}

function* oneChunk(bytes: Uint8Array): Generator<Buffer> {
  yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Body buffers kept for reuse: 20 MB, a 10,000-series exposition and some. */
export const MAX_POOLED_CHUNKS = 320;

/**
 * How old (since its collection finished) a collection may be and still be
 * shared with a scrape that arrives while it is being sent to another: a
 * quarter of a second, far under any scrape interval.
 */
export const SHARE_WINDOW_MILLIS = 250;

/** Collections in flight (the current one and ones given up on that never settled) past which no new one starts. */
export const MAX_PENDING_COLLECTIONS = 2;

/** Hands scrapes the collection in flight, or starts one. */
export class ScrapeCoordinator {
  private _current: ScrapeRound | undefined;
  private _latest: ScrapeRound | undefined;
  private readonly _pending = new Set<ScrapeRound>();
  private readonly _pool = new ChunkPool(RENDER_CHUNK_BYTES, MAX_POOLED_CHUNKS);

  constructor(
    private readonly _collect: (timeoutMillis: number) => Promise<Collected>,
    private readonly _render: RenderOptions,
    /** A catalog that `_collect` leaves out, read by each round in steps. */
    private readonly _catalog?: SteppedCatalog,
  ) {}

  /**
   * The round a scrape arriving now shares, without starting one: the
   * collection in flight, or one that finished within
   * {@link SHARE_WINDOW_MILLIS} and is still being sent to a scrape.
   */
  shared(): ScrapeRound | undefined {
    if (this._current !== undefined && !this._current.settled) return this._current;
    // Its catalog still being read (in steps) for a body: still in flight.
    if (this._latest?.reading === true) return this._latest;
    // Scrapes that overlap one still being answered share its collection and
    // bodies too, if it is recent: ten scrapers arriving within a few
    // milliseconds of each other then cost one collection, not several.
    const latest = this._latest;
    if (latest?.succeededAt !== undefined && latest.inUse && performance.now() - latest.succeededAt <= SHARE_WINDOW_MILLIS) return latest;
    return undefined;
  }

  /**
   * The {@link shared} round, or a new one; `undefined` when
   * {@link MAX_PENDING_COLLECTIONS} collections have not settled (collections
   * given up on by timeout that still hang): starting more would pile them up.
   */
  join(timeoutMillis: number): ScrapeRound | undefined {
    const shared = this.shared();
    if (shared !== undefined) return shared;
    if (this._pending.size >= MAX_PENDING_COLLECTIONS) return undefined;
    const round = new ScrapeRound(this._collect(timeoutMillis), this._render, this._pool, this._catalog);
    this._current = round;
    this._latest = round;
    this._pending.add(round);
    void round.collected.then(() => {
      this._pending.delete(round);
      if (this._current === round) this._current = undefined;
    });
    return round;
  }

  /** A scrape gave up waiting on `round`: later scrapes start a fresh collection instead of joining one that may hang. */
  abandon(round: ScrapeRound): void {
    if (this._current === round) this._current = undefined;
  }
}

/** Resolves on the next turn of the event loop (after pending I/O), so a long piece of work lets requests and timers in. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
