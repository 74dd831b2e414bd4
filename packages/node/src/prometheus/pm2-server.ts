/**
 * The pull endpoint's own server in a pm2 process (see config/pm2.ts): on
 * the instance's own port, never on a socket shared with other instances.
 *
 * In cluster mode the port is bound `exclusive`: a plain `listen()` in a
 * `node:cluster` worker asks pm2's daemon for its round-robin socket, which
 * would hand this port to any other instance asking for it too, and a
 * second app with the same ports would silently answer half the scrapes.
 * Bound exclusively, a taken port fails `start()` with a
 * {@link ConfigurationError} naming the fix. It also keeps pm2's reload
 * honest: pm2 takes a worker's first shared `listen()` as "ready" and stops
 * its predecessor, and the metrics port is not the service.
 *
 * One case is not a conflict: `pm2 reload` starts the new process of an
 * instance while the old one still serves that instance's port, and stops
 * the old one only once the new one listens (lib/God/Reload.js). A
 * restarted instance (`restart_time` above 0) that finds its port taken
 * therefore does not fail: `start()` returns at once, and the server binds
 * as soon as the predecessor lets go, retrying in the background (bounded
 * rate, unref'd timer, stopped by shutdown). Prometheus then sees the old
 * process's counts, then the new one's from 0: one counter reset, which
 * `increase()` and `rate()` handle, never the two answering in turns.
 */
import { diag } from '@opentelemetry/api';
import { describePm2, pm2PortRange, pm2PortTaken, type Pm2Process, type Pm2PullPort } from '../config/pm2.js';
import type { ConfigurationSource } from '../config/env.js';
import type { MetricsRequestHandler } from './handler.js';
import { metricsUrl, startMetricsServer, type MetricsServer } from './server.js';
import type { WebConfig } from './web-config/index.js';

/** Retry delay while a restarted instance waits for its predecessor's port. */
const RETRY_MILLIS = 100;
/**
 * After this long the wait is told to `diag` (pm2's defaults: 3 s
 * `listen_timeout` before the old process is stopped, then 1.6 s
 * `kill_timeout` before SIGKILL); retries go on, slower.
 */
const PATIENCE_MILLIS = 30_000;
const SLOW_RETRY_MILLIS = 5_000;

/** What {@link startPm2MetricsServer} needs besides the server's own arguments. */
export interface Pm2Listen {
  readonly pm2: Pm2Process;
  readonly pull: Pm2PullPort;
  /** Where the configured port came from (undefined: the default). */
  readonly source: ConfigurationSource | undefined;
}

/** Starts the pull endpoint of a pm2 instance on its own port, and says where to `diag`. */
export async function startPm2MetricsServer(handler: MetricsRequestHandler, host: string | undefined, web: WebConfig | undefined, listen: Pm2Listen): Promise<MetricsServer> {
  const { pm2, pull, source } = listen;
  const exclusive = pm2.clusterMode;
  let server: MetricsServer;
  try {
    server = await startMetricsServer(handler, host, pull.port, web, exclusive);
  } catch (err) {
    const inUse = (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
    if (!(inUse && pm2.clusterMode && pm2.restarted && pull.port !== 0)) {
      throw inUse ? pm2PortTaken(pm2, pull, source, err) : err;
    }
    return waitForPredecessor(handler, host, web, listen);
  }
  told(pm2, pull, server.url);
  return server;
}

function told(pm2: Pm2Process, pull: Pm2PullPort, url: string): void {
  diag.info(
    `@inferometer/node: ${describePm2(pm2)} serves metrics at ${url} (${pull.derivation}; instances ${pm2PortRange(pm2, pull)}): ` +
      'each pm2 instance serves its own port, since a port shared through pm2 would answer each scrape from one instance.',
  );
}

/**
 * The server of a restarted instance whose port its predecessor still
 * holds: it answers `start()` at once and binds when the port frees.
 */
function waitForPredecessor(handler: MetricsRequestHandler, host: string | undefined, web: WebConfig | undefined, listen: Pm2Listen): MetricsServer {
  const { pm2, pull, source } = listen;
  const url = metricsUrl(host, pull.port, web);
  diag.info(`@inferometer/node: ${describePm2(pm2)} restarted; port ${pull.port} is still held (by the process pm2 is replacing, as in pm2 reload): serving ${url} once it is free`);
  const since = Date.now();
  let bound: MetricsServer | undefined;
  let closed = false;
  let complained = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = (): void => {
    timer = undefined;
    startMetricsServer(handler, host, pull.port, web, pm2.clusterMode).then(
      (server) => {
        if (closed) {
          void server.close();
          return;
        }
        bound = server;
        told(pm2, pull, server.url);
      },
      (err: unknown) => {
        if (closed) return;
        const waited = Date.now() - since;
        if (waited >= PATIENCE_MILLIS && !complained) {
          complained = true;
          diag.error(`${pm2PortTaken(pm2, pull, source, err).message} (waited ${Math.round(waited / 1000)} s for the previous process of this instance; still retrying every ${SLOW_RETRY_MILLIS / 1000} s)`);
        }
        schedule(waited >= PATIENCE_MILLIS ? SLOW_RETRY_MILLIS : RETRY_MILLIS);
      },
    );
  };
  const schedule = (delay: number): void => {
    timer = setTimeout(attempt, delay);
    // Waiting for a port never keeps a finished process alive.
    timer.unref();
  };
  schedule(RETRY_MILLIS);
  return {
    url,
    port: pull.port,
    close: async () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await bound?.close();
    },
  };
}
