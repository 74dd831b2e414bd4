import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { freePort } from './ports.js';
import { promQlClient, spawnServer, type PromQlClient } from './server-process.js';

/** A real Prometheus server on loopback, with its own temporary config and data. */
export interface PrometheusServer extends PromQlClient {
  readonly url: string;
  /** The temporary directory holding prometheus.yml and the data. */
  readonly dir: string;
  stop(): Promise<void>;
}

export interface PrometheusTarget {
  readonly job: string;
  readonly target: string;
}

/** What else a test needs in the Prometheus it starts. */
export interface PrometheusExtras {
  /** More command-line flags, e.g. `--web.enable-remote-write-receiver`. */
  readonly flags?: readonly string[];
  /** YAML appended to prometheus.yml at the top level (rule_files, alerting, ...); paths relative to `dir`. */
  readonly config?: string;
  /** Files written into the server's temporary directory before it starts (rule files). */
  readonly files?: Readonly<Record<string, string>>;
}

/** Starts Debian's `prometheus` scraping `targets` every second. */
export async function startPrometheus(targets: readonly PrometheusTarget[], extras: PrometheusExtras = {}): Promise<PrometheusServer> {
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    ...targets.flatMap((t) => [`  - job_name: ${t.job}`, '    static_configs:', `      - targets: ['${t.target}']`]),
    ...(targets.length === 0 ? ['  []'] : []),
    extras.config ?? '',
  ].join('\n');
  return startPrometheusWithConfig(`${config}\n`, extras);
}

/** Starts Debian's `prometheus` with `config` as its whole prometheus.yml (`extras.config` is not used). */
export async function startPrometheusWithConfig(config: string, extras: Omit<PrometheusExtras, 'config'> = {}): Promise<PrometheusServer> {
  const binary = requireBinary('prometheus', 'prometheus', 'PROMETHEUS_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'inferometer-prometheus-'));
  for (const [name, content] of Object.entries(extras.files ?? {})) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server;
  try {
    server = await spawnServer(
      'Prometheus',
      binary,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        ...(extras.flags ?? []),
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
  return { url, dir, ...promQlClient(url), stop };
}
