import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { freePort } from './ports.js';
import { spawnServer } from './server-process.js';

/** A real vmagent (Debian's `victoria-metrics` package) on loopback, with a temporary queue dir. */
export interface VmagentServer {
  readonly url: string;
  /** Its remote write endpoint, where the apps push. */
  readonly writeUrl: string;
  /** Stops it (vmagent sends what it holds on SIGTERM) and removes the queue dir. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's `vmagent` with `args` (e.g. what `inferometer vmagent`
 * prints) plus its listen address and an on-disk queue of its own.
 * `-remoteWrite.flushInterval=200ms` so a test waits less than the default 1 s.
 */
export async function startVmagent(args: readonly string[]): Promise<VmagentServer> {
  const binary = requireBinary('vmagent', 'victoria-metrics', 'VMAGENT_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'inferometer-vmagent-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server;
  try {
    server = await spawnServer(
      'vmagent',
      binary,
      [...args, `-httpListenAddr=127.0.0.1:${port}`, `-remoteWrite.tmpDataPath=${join(dir, 'queue')}`, '-remoteWrite.flushInterval=200ms', '-loggerLevel=WARN'],
      { cwd: dir, readyUrl: `${url}/health` },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const running = server;
  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    async stop() {
      await running.halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A real Prometheus in agent mode (`--enable-feature=agent`): scrapes and forwards over remote write, stores nothing queryable. */
export interface PrometheusAgent {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's `prometheus` in agent mode with `config` as its whole
 * prometheus.yml. Agent mode refuses the server's `--storage.tsdb.*` flags,
 * so this is not startPrometheusWithConfig: its WAL goes to `--storage.agent.path`.
 */
export async function startPrometheusAgent(config: string): Promise<PrometheusAgent> {
  const binary = requireBinary('prometheus', 'prometheus', 'PROMETHEUS_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'inferometer-prometheus-agent-'));
  writeFileSync(join(dir, 'agent.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server;
  try {
    server = await spawnServer(
      'Prometheus agent',
      binary,
      ['--enable-feature=agent', `--config.file=${join(dir, 'agent.yml')}`, `--storage.agent.path=${join(dir, 'wal')}`, `--web.listen-address=127.0.0.1:${port}`],
      { cwd: dir, readyUrl: `${url}/-/ready` },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const running = server;
  return {
    url,
    async stop() {
      await running.halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
