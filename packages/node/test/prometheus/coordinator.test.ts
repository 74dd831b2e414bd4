/**
 * The pull endpoint against clients that try to take the host down, measured
 * in a serving process of its own (10,000 catalog histogram series, a 16 MB
 * exposition) so that the RSS and the event-loop stalls are the server's.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { emptyResource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { ValueType } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyKey, RENDER_CHUNK_BYTES, ScrapeCoordinator } from '../../src/prometheus/coordinator.js';
import { serialize, SteppedFamilies } from '../../src/prometheus/serializer.js';

const TARGET = fileURLToPath(new URL('../helpers/scrape-target.mjs', import.meta.url));
const MiB = 1024 * 1024;

interface Probe {
  readonly rss: number;
  readonly maxStallMs: number;
  /** TCP connections the target holds open. */
  readonly sockets: number;
  /** Collections since the target started. */
  readonly collections: number;
}

interface Target {
  readonly url: URL;
  probe(): Promise<Probe>;
  stop(): void;
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn();
});

async function startTarget(prometheus: Record<string, unknown> = {}): Promise<Target> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--expose-gc', TARGET, JSON.stringify(prometheus)], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: Interface = createInterface({ input: child.stdout });
  const next = async (): Promise<string> => {
    const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => { throw new Error(`target exited: ${stderr}`); })])) as [string];
    return line;
  };
  const { url } = JSON.parse(await next()) as { url: string };
  const target: Target = {
    url: new URL(url),
    async probe() {
      const reply = next();
      child.stdin.write('\n');
      return JSON.parse(await reply) as Probe;
    },
    stop: () => child.kill(),
  };
  cleanup.push(target.stop);
  return target;
}

/** A scraper that reads one byte a second from a raw socket, as the attacker did. */
function slowReader(url: URL): Socket {
  const socket = connect(Number(url.port), url.hostname);
  socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
  socket.pause();
  const timer = setInterval(() => socket.read(1), 1000);
  socket.on('error', () => undefined);
  socket.once('close', () => clearInterval(timer));
  cleanup.push(() => {
    clearInterval(timer);
    socket.destroy();
  });
  return socket;
}

describe('the pull endpoint against slow readers', () => {
  it('cuts 100 readers of 1 byte/s off after the write timeout, holding under 64 MiB for them', async () => {
    // Every one served (none refused by the concurrency limit), each reading
    // the 16 MB uncompressed body.
    const target = await startTarget({ maxConcurrentScrapes: 200 });
    // The baseline is the server having just answered one ordinary scrape
    // (pooled body chunks and heap in use), not whatever the heap shrank to
    // while a loaded machine was slow to send the first probe.
    await (await fetch(target.url, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer();
    const before = await target.probe();
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) slowReader(target.url);
    let peak = before.rss;
    // Connections the server still holds (a paused client socket does not
    // see the reset until it reads again, so count them on the server's
    // side), polled until all are gone or a bound passes. The write timeout
    // (10 s by default) starts on the server when it starts answering, after
    // t0: no connection may go before t0 + 10 s, however slow the machine.
    const held: string[] = [];
    let allHeld = false;
    let firstCut: number | undefined;
    let sockets = Number.NaN;
    for (;;) {
      const probe = await target.probe();
      const at = performance.now() - t0;
      sockets = probe.sockets;
      peak = Math.max(peak, probe.rss);
      held.push(`${(at / 1000).toFixed(1)}s:${sockets}`);
      if (sockets >= 100) allHeld = true;
      else if (allHeld && firstCut === undefined) firstCut = at;
      if ((allHeld && sockets === 0) || at > 45_000) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const growth = (peak - before.rss) / MiB;
    console.log(`100 slow readers: RSS ${(before.rss / MiB).toFixed(0)} MiB -> peak ${(peak / MiB).toFixed(0)} MiB (+${growth.toFixed(1)} MiB); connections held: ${held.join(' ')}`);
    expect(growth).toBeLessThan(64);
    // All 100 held until the default write timeout (less the millisecond
    // granularity of timers), then every one cut off.
    expect(allHeld).toBe(true);
    expect(firstCut).toBeGreaterThanOrEqual(10_000 - 5);
    expect(sockets).toBe(0);
  }, 60_000);
});

describe('the pull endpoint against 200 concurrent scrapes', () => {
  it('answers every one from one shared collection and body, under 512 MiB', async () => {
    const target = await startTarget();
    const before = await target.probe();
    let peak = before.rss;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await target.probe()).rss);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from(
        { length: 200 },
        () =>
          new Promise<{ status: number; ms: number; bytes: number }>((resolve, reject) => {
            // gzip, as Prometheus always asks: 200 readers of one 0.6 MB
            // body. (200 readers of the 16 MB identity body are 3.2 GB for
            // loopback and this one client process to move; past the write
            // timeout they are cut off, as the slow readers above.)
            get(target.url, { agent: false, headers: { 'accept-encoding': 'gzip' } }, (response) => {
              let bytes = 0;
              response.on('data', (chunk: Buffer) => (bytes += chunk.length));
              response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - t0, bytes }));
              response.on('error', reject);
            }).on('error', reject);
          }),
      ),
    );
    sampling = false;
    await sampler;
    const after = await target.probe();
    peak = Math.max(peak, after.rss);
    const served = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 503);
    const growth = (peak - before.rss) / MiB;
    console.log(
      `200 concurrent scrapes: ${after.collections - before.collections} collections, ${served.length} served (${Math.min(...served.map((r) => r.ms)).toFixed(0)} ms for the first, ${Math.max(...served.map((r) => r.ms)).toFixed(0)} ms for the last), ${refused.length} refused; RSS ${(before.rss / MiB).toFixed(0)} MiB -> peak ${(peak / MiB).toFixed(0)} MiB (+${growth.toFixed(1)} MiB); longest event-loop stall ${after.maxStallMs.toFixed(1)} ms`,
    );
    // Every one served: the limit counts bodies, and 200 scrapes of one
    // format arriving together share one collection and one body. A scrape
    // arriving after that body was sent to all the others would start a
    // second round (a second body, still under the limit of 16).
    expect(refused).toEqual([]);
    expect(served).toHaveLength(200);
    for (const r of served) expect(r.bytes).toBeGreaterThan(100_000);
    expect(after.collections - before.collections).toBeLessThanOrEqual(2);
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(45_000);
    // Memory bounded by the shared body (16 MB) and the sockets, not 200 bodies.
    expect(growth).toBeLessThan(512);
  }, 60_000);
});

describe('rounds of a catalog written per body', () => {
  const RENDER = { created: false, onDroppedFamily: () => undefined };
  const EMPTY = { resource: emptyResource(), scopeMetrics: [] };

  /** A coordinator whose collections wait for `release()`, recording what each was for. */
  function gatedCoordinator(perBody: boolean | (() => boolean)) {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const shapes: unknown[] = [];
    const coordinator = new ScrapeCoordinator(
      async (_timeout, shape) => {
        shapes.push(shape);
        await gate;
        return { ok: true, resourceMetrics: EMPTY };
      },
      RENDER,
      typeof perBody === 'function' ? perBody : () => perBody,
    );
    return { coordinator, release, shapes };
  }

  it('shares a round between scrapes of one body (format, escaping, encoding) and starts one for each other body, the collection told which', async () => {
    const { coordinator, release, shapes } = gatedCoordinator(true);
    const text = coordinator.join(1_000, 'text', false)!;
    expect(coordinator.join(1_000, 'text', false)).toBe(text);
    const openMetrics = coordinator.join(1_000, 'openmetrics', false, 'allow-utf-8')!;
    const zipped = coordinator.join(1_000, 'text', true)!;
    expect(new Set([text, openMetrics, zipped]).size).toBe(3);
    expect(shapes).toEqual([
      { format: 'text', escaping: undefined },
      { format: 'openmetrics', escaping: 'allow-utf-8' },
      { format: 'text', escaping: undefined },
    ]);
    expect([text.key, openMetrics.key, zipped.key]).toEqual([bodyKey('text', false), bodyKey('openmetrics', false, 'allow-utf-8'), bodyKey('text', true)]);
    release();
    await Promise.all([text.collected, openMetrics.collected, zipped.collected]);
    // A round given up on is not shared, in flight or not.
    const next = coordinator.join(1_000, 'protobuf', false)!;
    coordinator.abandon(next);
    expect(coordinator.shared('protobuf', false)).toBeUndefined();
  });

  it('asks at each new round whether the catalog can be written per body (a cluster merge with members cannot)', async () => {
    let steppable = true;
    const { coordinator, release, shapes } = gatedCoordinator(() => steppable);
    const text = coordinator.join(1_000, 'text', false)!;
    steppable = false;
    const merged = coordinator.join(1_000, 'openmetrics', false)!;
    expect(merged).not.toBe(text);
    expect(merged.key).toBeUndefined();
    expect(coordinator.join(1_000, 'protobuf', true)).toBe(merged);
    expect(shapes).toEqual([{ format: 'text', escaping: undefined }, undefined]);
    release();
    await Promise.all([text.collected, merged.collected]);
  });

  it('without a catalog written per body, serves every body from one round, as it always did', async () => {
    const { coordinator, release, shapes } = gatedCoordinator(false);
    const round = coordinator.join(1_000, 'text', false)!;
    expect(coordinator.join(1_000, 'openmetrics', true)).toBe(round);
    expect(coordinator.shared('protobuf', false)).toBe(round);
    expect(shapes).toEqual([undefined]);
    release();
    await round.collected;
  });

  /** Forty gauge families of `points` series each: small ones, as a catalog of a few model versions' are, or large. */
  const families = (points: number): MetricData[] =>
    Array.from({ length: 40 }, (_, i) => ({
      descriptor: { name: `family_${i}`, description: `family ${i}`, unit: '', type: 'OBSERVABLE_GAUGE' as never, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: Array.from({ length: points }, (_, p) => ({ startTime: [0, 0], endTime: [1, 0], attributes: { model: 'iris', version: String(p) }, value: i * p })),
    })) as MetricData[];
  const SCOPE = { name: 'catalog' };

  /** A round over `metrics` written ahead as the catalog is, its body, and whether the pool got back every buffer the round took, once. */
  async function writtenAheadBody(metrics: MetricData[], gzip: boolean) {
    let allocate!: (size: number) => Buffer;
    const taken = new Set<ArrayBufferLike>();
    const coordinator = new ScrapeCoordinator(
      async (_timeout, shape, poolAllocate) => {
        allocate = poolAllocate;
        const written = new SteppedFamilies({ format: shape!.format }, RENDER_CHUNK_BYTES, (size) => {
          const buffer = poolAllocate(size);
          taken.add(buffer.buffer);
          return buffer;
        });
        for (const metric of metrics) written.add([metric]);
        const rendered = written.finish();
        return { ok: true, resourceMetrics: { resource: emptyResource(), scopeMetrics: [{ scope: SCOPE, metrics: rendered.placeholders }] }, rendered };
      },
      RENDER,
      () => true,
    );
    const round = coordinator.join(1_000, 'openmetrics', gzip)!;
    // As the handler does: a scrape holds the round from the moment it joins.
    const key = bodyKey('openmetrics', gzip);
    round.enter(key);
    const collected = await round.collected;
    if (!collected.ok) throw new Error('the collection failed');
    const body = await round.body(collected, 'openmetrics', gzip);
    const text = Buffer.concat(body.chunks);
    round.leave(key);
    // The pool hands out every buffer the round took, and none twice (a
    // buffer given back twice would be written by two bodies at once).
    const next = Array.from({ length: taken.size + 8 }, () => allocate(RENDER_CHUNK_BYTES).buffer);
    return {
      chunks: body.chunks.length,
      text: (gzip ? gunzipSync(text) : text).toString('utf8'),
      expected: serialize({ resource: emptyResource(), scopeMetrics: [{ scope: SCOPE, metrics }] }, { format: 'openmetrics' }),
      takenBack: next.filter((buffer) => taken.has(buffer)).length,
      taken: taken.size,
      distinct: new Set(next).size === next.length,
    };
  }

  it.each([false, true])('serves a catalog of many small families written ahead in one chunk, not one per family, and hands every buffer back to the pool once (gzip: %s)', async (gzip) => {
    // Each chunk is a turn of the event loop and, gzipped, a round trip to
    // zlib's thread pool: one per family made a 30 KB body take 0.1-1 s
    // under CI's load. Gzipped, a body of one chunk is compressed at once.
    const { chunks, text, expected, takenBack, taken, distinct } = await writtenAheadBody(families(1), gzip);
    expect(text).toBe(expected);
    expect(chunks).toBe(1);
    expect({ takenBack, distinct }).toEqual({ takenBack: taken, distinct: true });
  });

  it.each([false, true])('serves a large catalog written ahead whole, in chunks, and hands every buffer back to the pool once (gzip: %s)', async (gzip) => {
    const { chunks, text, expected, takenBack, taken, distinct } = await writtenAheadBody(families(400), gzip);
    expect(text).toBe(expected);
    expect(expected.length).toBeGreaterThan(8 * RENDER_CHUNK_BYTES);
    if (!gzip) expect(chunks).toBeGreaterThan(8);
    expect(taken).toBeGreaterThan(8);
    expect({ takenBack, distinct }).toEqual({ takenBack: taken, distinct: true });
  });
});
