/**
 * One collection and one rendered body per format, escaping and encoding, shared by
 * every scrape that arrives while the collection runs: 200 scrapers at once
 * cost one collection and one 16 MB body, not 200 of each, and the limit on
 * concurrent scrapes counts those bodies, not the sockets reading them.
 */
import { createGzip, constants as zlib } from 'node:zlib';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { EscapingScheme } from '@inferometer/core/prometheus';
import type { ExpositionFormat } from './negotiation.js';
import { encodeProtobufExposition } from './protobuf/index.js';
import { ChunkPool, serializeChunks } from './serializer.js';

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
  /** When the collection settled with data (`performance.now()`), else undefined. */
  succeededAt: number | undefined;

  constructor(
    readonly collected: Promise<Collected>,
    private readonly _render: RenderOptions,
    private readonly _pool: ChunkPool,
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
    for (const chunk of this._serialize(resourceMetrics, format, escaping, this._pool.allocate)) {
      chunks.push(chunk);
      if (format !== 'protobuf') this._pooled.push(chunk);
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
      for (const chunk of this._serialize(resourceMetrics, format, escaping, this._pool.allocate)) {
        // The serializer's buffer goes back to the pool once zlib has read it.
        const more = gzip.write(chunk, () => {
          if (format !== 'protobuf') this._pool.release(chunk);
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

  private _serialize(resourceMetrics: ResourceMetrics, format: ExpositionFormat, escaping: EscapingScheme | undefined, allocate: (size: number) => Buffer): Generator<Buffer> {
    // The protobuf body is encoded in one piece (a tenth of the text's size
    // for native histograms) into its own buffer, not a pooled one.
    if (format === 'protobuf') return oneChunk(encodeProtobufExposition(resourceMetrics, { escaping, createdTimestamps: this._render.createdTimestamps }));
    return serializeChunks(resourceMetrics, RENDER_CHUNK_BYTES, allocate, {
      format,
      escaping,
      created: this._render.created,
      onDroppedFamily: this._render.onDroppedFamily,
    });
  }
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
  ) {}

  /**
   * The round a scrape arriving now shares, without starting one: the
   * collection in flight, or one that finished within
   * {@link SHARE_WINDOW_MILLIS} and is still being sent to a scrape.
   */
  shared(): ScrapeRound | undefined {
    if (this._current !== undefined && !this._current.settled) return this._current;
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
    const round = new ScrapeRound(this._collect(timeoutMillis), this._render, this._pool);
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
