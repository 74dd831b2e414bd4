/**
 * One collection and one rendered body per format, escaping and encoding, shared by
 * every scrape that arrives while the collection runs: 200 scrapers at once
 * cost one collection and one 16 MB body, not 200 of each, and the limit on
 * concurrent scrapes counts those bodies, not the sockets reading them.
 */
import { createGzip, gzipSync, constants as zlib } from 'node:zlib';
import type { MetricData, ResourceMetrics, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { INSTRUMENTATION_SCOPE } from '@inferometer/core/catalog';
import type { EscapingScheme } from '@inferometer/core/prometheus';
import type { ExpositionFormat } from './negotiation.js';
import { encodeProtobufExposition } from './protobuf/index.js';
import { groupFamilies } from '@inferometer/core/prometheus';
import { ChunkPool, serializeChunks, SteppedFamilies, type RenderedFamilies } from './serializer.js';
import { CATALOG_STAND_INS, READ_ELSEWHERE, type SteppedCatalog } from '../native/producer.js';

/** What a collection came to: the data, or why there is none. */
export type Collected =
  | {
      readonly ok: true;
      readonly resourceMetrics: ResourceMetrics;
      /** The catalog, written in steps during the collection (see {@link readCatalog}): its families stand in `resourceMetrics` without data. */
      readonly rendered?: RenderedFamilies;
    }
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
  /**
   * The catalog's chunks written during the collection (see
   * {@link readCatalog}) not yet handed back: each goes back once, as zlib
   * reads it for a gzip body, or when the round is done. The body copies
   * small ones in beside their neighbours, so not all are among the chunks
   * it serves: those go back once the gzip body is compressed. Set when the
   * collection settles, before any scrape asks for a body (promise
   * reactions run in the order they were registered: this one first).
   */
  private _catalog: Set<Buffer> | undefined;
  private _users = 0;
  settled = false;
  /** When the collection settled with data (`performance.now()`), else undefined. */
  succeededAt: number | undefined;

  constructor(
    readonly collected: Promise<Collected>,
    private readonly _render: RenderOptions,
    private readonly _pool: ChunkPool,
    /** The key of the round's one body when the collection wrote the catalog for it (see {@link ScrapeCoordinator.roundKey}); undefined for a round that serves every body. */
    readonly key?: string,
    /** Called once the round is done: settled and left by every scrape. */
    private readonly _onDone?: (round: ScrapeRound) => void,
  ) {
    void collected.then((result) => {
      this.settled = true;
      if (result.ok) {
        this.succeededAt = performance.now();
        this._catalog = result.rendered === undefined ? undefined : new Set(result.rendered.chunks);
      }
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
    for (const chunk of this._pooled.splice(0)) this._pool.release(chunk);
    this._releaseCatalog();
    this._onDone?.(this);
  }

  /** Hands every catalog chunk not yet handed back to the pool. */
  private _releaseCatalog(): void {
    const catalog = this._catalog;
    this._catalog = undefined;
    if (catalog !== undefined) for (const chunk of catalog) this._pool.release(chunk);
  }

  /** The body for a format, escaping scheme and encoding, rendered once however many scrapes ask. */
  body(collected: Extract<Collected, { ok: true }>, format: ExpositionFormat, gzip: boolean, escaping?: EscapingScheme): Promise<Body> {
    const key = bodyKey(format, gzip, escaping);
    let body = this._bodies.get(key);
    if (body === undefined) {
      // `underscores` writes what no escaping writes: one body for both.
      const scheme = escaping === 'underscores' ? undefined : escaping;
      const started = performance.now();
      const { onRendered, onRenderFailed } = this._render;
      if (collected.rendered !== undefined && key !== this.key) throw new Error(`unreachable: a round that wrote the catalog for ${this.key ?? 'no body'} asked for ${key}`);
      body = (gzip ? this._gzipped(collected, format, scheme) : this._plain(collected, format, scheme)).then(
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

  private async _plain(collected: Extract<Collected, { ok: true }>, format: ExpositionFormat, escaping: EscapingScheme | undefined): Promise<Body> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (const chunk of this._serialize(collected, format, escaping, this._pool.allocate)) {
      chunks.push(chunk);
      // The catalog's chunks are the round's already (see the constructor).
      if (format !== 'protobuf' && this._catalog?.has(chunk) !== true) this._pooled.push(chunk);
      bytes += chunk.length;
      await nextTurn();
    }
    return { chunks, bytes };
  }

  /**
   * Serializes into pooled buffers and compresses them on libuv's thread
   * pool (zlib's async API), a chunk at a time; a body of one chunk at once.
   */
  private async _gzipped(collected: Extract<Collected, { ok: true }>, format: ExpositionFormat, escaping: EscapingScheme | undefined): Promise<Body> {
    // The serializer's buffers, and the catalog's, go back to the pool as
    // zlib reads them (the round has no other body: see body()).
    const release = (chunk: Buffer): void => {
      if (format === 'protobuf') return;
      this._catalog?.delete(chunk);
      this._pool.release(chunk);
    };
    const serialized = this._serialize(collected, format, escaping, this._pool.allocate);
    // A body of one chunk that is not full is compressed at once, on this
    // thread: some 0.1 ms for 58 KiB at level 1, where each round trip of
    // the stream to libuv's thread pool (which onnxruntime-node's inference
    // shares) cost 10-30 ms on a loaded machine, for a write and the end.
    // Looking one chunk ahead costs nothing then: after a chunk that is not
    // full comes the end, or a chunk written ahead (the catalog's).
    const first = serialized.next();
    const ahead = first.done === true || first.value.length >= RENDER_CHUNK_BYTES * FULL_CHUNK ? undefined : serialized.next();
    if (first.done === true || ahead?.done === true) {
      const compressed = gzipSync(first.done === true ? EMPTY_BODY : first.value, { level: GZIP_LEVEL });
      if (first.done !== true) release(first.value);
      this._releaseCatalog();
      return { chunks: [compressed], bytes: compressed.length };
    }
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
      for (const chunk of aheadOf(first.value, ahead?.value, serialized)) {
        const more = gzip.write(chunk, () => release(chunk));
        if (!more) await new Promise<void>((resolve) => gzip.once('drain', resolve));
        else await nextTurn();
      }
      gzip.end();
      await ended;
      // The catalog's chunks the body copied from.
      this._releaseCatalog();
    } finally {
      gzip.destroy();
    }
    return { chunks, bytes };
  }

  private _serialize(collected: Extract<Collected, { ok: true }>, format: ExpositionFormat, escaping: EscapingScheme | undefined, allocate: (size: number) => Buffer): Generator<Buffer> {
    // The protobuf body is encoded in one piece (a tenth of the text's size
    // for native histograms) into its own buffer, not a pooled one.
    if (format === 'protobuf') return oneChunk(encodeProtobufExposition(collected.resourceMetrics, { escaping, createdTimestamps: this._render.createdTimestamps }));
    return serializeChunks(collected.resourceMetrics, RENDER_CHUNK_BYTES, allocate, {
      format,
      escaping,
      created: this._render.created,
      onDroppedFamily: this._render.onDroppedFamily,
      ...(collected.rendered === undefined ? {} : { rendered: collected.rendered }),
    });
  }
}

/** What a round's collection is for: the one body it writes the catalog for. */
export interface RoundShape {
  readonly format: ExpositionFormat;
  readonly escaping: EscapingScheme | undefined;
}

const CATALOG_SCOPE = { name: INSTRUMENTATION_SCOPE };

/**
 * The catalog of a collection whose reader left it out (see
 * native/producer.ts' `withoutProducer`), read once: for a text format
 * whose families it can be served beside, a step at a time, each step's
 * points written at once and dropped (see {@link SteppedFamilies}), so the
 * collection never holds all of them; otherwise (protobuf; a reader family
 * that takes a catalog family's name, which the two must then be
 * serialized together to merge or leave out; a cluster aggregator with
 * members) as points. Either way it goes where the producer would have
 * answered, so the families come in the order they always did.
 *
 * @internal
 */
export async function readCatalog(
  resourceMetrics: ResourceMetrics,
  catalog: SteppedCatalog,
  shape: RoundShape,
  options: { readonly created: boolean; readonly allocate: (size: number) => Buffer },
): Promise<Extract<Collected, { ok: true }>> {
  const scopes = resourceMetrics.scopeMetrics;
  const at = scopes.findIndex((scope) => scope.scope === READ_ELSEWHERE);
  const before = at < 0 ? scopes : scopes.slice(0, at);
  const after = at < 0 ? [] : scopes.slice(at + 1);
  const served = (middle: ScopeMetrics[]): ResourceMetrics => ({ ...resourceMetrics, scopeMetrics: [...before, ...middle, ...after] });
  const reading = await catalog.begin();
  if ('whole' in reading) return { ok: true, resourceMetrics: served(reading.whole) };
  const escaping = shape.escaping === 'underscores' ? undefined : shape.escaping;
  if (shape.format !== 'protobuf' && servedAlone(served([...reading.rest, { scope: CATALOG_SCOPE, metrics: [...CATALOG_STAND_INS] }, ...reading.after]).scopeMetrics, escaping)) {
    const families = new SteppedFamilies({ format: shape.format, escaping, created: options.created }, RENDER_CHUNK_BYTES, options.allocate);
    await reading.readParts((metrics) => families.add(metrics));
    const rendered = families.finish();
    return { ok: true, resourceMetrics: served([...reading.rest, { scope: CATALOG_SCOPE, metrics: rendered.placeholders }, ...reading.after]), rendered };
  }
  const metrics = await reading.readWhole();
  return { ok: true, resourceMetrics: served([...reading.rest, ...(metrics.length === 0 ? [] : [{ scope: CATALOG_SCOPE, metrics }]), ...reading.after]) };
}

const STAND_INS: ReadonlySet<MetricData> = new Set(CATALOG_STAND_INS);

/** Whether every catalog stand-in among `scopeMetrics` is a family of its own that is served (not merged with another, not left out for another's name). */
function servedAlone(scopeMetrics: ResourceMetrics['scopeMetrics'], escaping: EscapingScheme | undefined): boolean {
  const standIns = STAND_INS;
  let found = 0;
  for (const family of groupFamilies(scopeMetrics, { escaping }).values()) {
    const ours = family.metrics.filter((metric) => standIns.has(metric)).length;
    if (ours > 0 && family.metrics.length > 1) return false;
    found += ours;
  }
  return found === standIns.size;
}

/** A chunk this full (of {@link RENDER_CHUNK_BYTES}) is one the serializer hands out because it is full, not because the body ended. */
const FULL_CHUNK = 0.9;
const EMPTY_BODY = Buffer.alloc(0);

/** The chunks already taken from `rest` (the second when it was looked ahead to), then the rest. */
function* aheadOf(first: Buffer, second: Buffer | undefined, rest: Iterator<Buffer>): Generator<Buffer> {
  yield first;
  if (second !== undefined) yield second;
  for (let next = rest.next(); next.done !== true; next = rest.next()) yield next.value;
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

/** Collections given up on that have not settled, past which no new one starts. */
export const MAX_PENDING_COLLECTIONS = 2;

/**
 * Hands scrapes the collection in flight, or starts one. Without a catalog
 * read in steps, every scrape shares one round (one collection, a body per
 * format and encoding). With one, a round's collection writes the catalog
 * for one body (see {@link readCatalog}), so rounds are per body key:
 * scrapes asking for the same format, escaping and encoding share one, and
 * a scrape asking for another starts its own, as if it came a moment later.
 */
export class ScrapeCoordinator {
  private readonly _current = new Map<string, ScrapeRound>();
  /** The latest round of each key, until it is done (see {@link ScrapeRound}'s `_recycle`): none is kept longer. */
  private readonly _latest = new Map<string, ScrapeRound>();
  /** Rounds given up on (a scrape timed out waiting) that have not settled. */
  private readonly _hanging = new Set<ScrapeRound>();
  private readonly _pool = new ChunkPool(RENDER_CHUNK_BYTES, MAX_POOLED_CHUNKS);

  constructor(
    private readonly _collect: (timeoutMillis: number, shape: RoundShape | undefined, allocate: (size: number) => Buffer) => Promise<Collected>,
    private readonly _render: RenderOptions,
    /**
     * Whether a collection starting now writes the catalog for one body
     * (then rounds are per body key): asked at each new round, since a
     * cluster aggregator with members cannot be read in steps.
     */
    private readonly _perBody: () => boolean = () => false,
  ) {}

  /** The key of the round a body is served from now: its body key while a collection writes the catalog per body, else one round for all. */
  roundKey(format: ExpositionFormat, gzip: boolean, escaping?: EscapingScheme): string {
    return this._perBody() ? bodyKey(format, gzip, escaping) : '';
  }

  /**
   * The round a scrape arriving now for a body shares, without starting
   * one: the collection in flight, or one that finished within
   * {@link SHARE_WINDOW_MILLIS} and is still being sent to a scrape.
   */
  shared(format: ExpositionFormat, gzip: boolean, escaping?: EscapingScheme): ScrapeRound | undefined {
    const key = this.roundKey(format, gzip, escaping);
    const current = this._current.get(key);
    if (current !== undefined && !current.settled) return current;
    // Scrapes that overlap one still being answered share its collection and
    // bodies too, if it is recent: ten scrapers arriving within a few
    // milliseconds of each other then cost one collection, not several.
    const latest = this._latest.get(key);
    if (latest?.succeededAt !== undefined && latest.inUse && performance.now() - latest.succeededAt <= SHARE_WINDOW_MILLIS) return latest;
    return undefined;
  }

  /**
   * The {@link shared} round, or a new one; `undefined` while
   * {@link MAX_PENDING_COLLECTIONS} collections given up on by timeout still
   * hang: starting more would pile them up.
   */
  join(timeoutMillis: number, format: ExpositionFormat, gzip: boolean, escaping?: EscapingScheme): ScrapeRound | undefined {
    const shared = this.shared(format, gzip, escaping);
    if (shared !== undefined) return shared;
    if (this._hanging.size >= MAX_PENDING_COLLECTIONS) return undefined;
    const perBody = this._perBody();
    const key = perBody ? bodyKey(format, gzip, escaping) : '';
    const shape = perBody ? { format, escaping } : undefined;
    const round = new ScrapeRound(this._collect(timeoutMillis, shape, this._pool.allocate), this._render, this._pool, perBody ? key : undefined, (done) => {
      if (this._latest.get(key) === done) this._latest.delete(key);
    });
    this._current.set(key, round);
    this._latest.set(key, round);
    void round.collected.then(() => {
      this._hanging.delete(round);
      if (this._current.get(key) === round) this._current.delete(key);
    });
    return round;
  }

  /** A scrape gave up waiting on `round`: later scrapes start a fresh collection instead of joining one that may hang. */
  abandon(round: ScrapeRound): void {
    const key = round.key ?? '';
    if (this._current.get(key) === round) this._current.delete(key);
    if (!round.settled) this._hanging.add(round);
  }
}

/** Resolves on the next turn of the event loop (after pending I/O), so a long piece of work lets requests and timers in. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
