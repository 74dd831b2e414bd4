import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { eventually, freePort } from './ports.js';

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
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // No gossip cluster: it would bind 0.0.0.0:9094 and wait for peers.
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually('Alertmanager to be ready', async () => {
      if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}: ${log}`);
      return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    address: `127.0.0.1:${port}`,
    alerts: async () => (await (await fetch(`${url}/api/v2/alerts`)).json()) as AlertmanagerAlert[],
    stop,
  };
}
