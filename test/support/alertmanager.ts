import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { freePort } from './ports.js';
import { spawnServer } from './server-process.js';

/** An alert as Alertmanager's API v2 lists it. */
export interface AlertmanagerAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
}

/** A real Alertmanager (Debian's prometheus-alertmanager) on loopback, with its own config and data. */
export interface AlertmanagerServer {
  readonly url: string;
  /** `host:port`, for Prometheus' `alerting.alertmanagers` static config. */
  readonly address: string;
  alerts(): Promise<AlertmanagerAlert[]>;
  stop(): Promise<void>;
}

export async function startAlertmanager(config: string): Promise<AlertmanagerServer> {
  const binary = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager', 'ALERTMANAGER_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'inferometer-alertmanager-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server;
  try {
    server = await spawnServer(
      'Alertmanager',
      binary,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // No gossip cluster: it would bind 0.0.0.0:9094 and wait for peers.
        '--cluster.listen-address=',
      ],
      { cwd: dir, readyUrl: `${url}/-/ready` },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const running = server;
  const stop = async (): Promise<void> => {
    await running.halt();
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    url,
    address: `127.0.0.1:${port}`,
    alerts: async () => (await (await fetch(`${url}/api/v2/alerts`)).json()) as AlertmanagerAlert[],
    stop,
  };
}
