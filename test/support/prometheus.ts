import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { eventually, freePort } from './ports.js';

/** A real Prometheus server on loopback, with its own temporary config and data. */
export interface PrometheusServer {
  readonly url: string;
  /** Runs an instant PromQL query and returns the result vector. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Waits until the query returns one sample that `accept` takes, and returns its value. */
  waitFor(expr: string, accept: (value: number) => boolean, timeoutMs?: number): Promise<number>;
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
export async function startPrometheus(targets: PrometheusTarget[], extras: PrometheusExtras = {}): Promise<PrometheusServer & { readonly dir: string }> {
  const binary = requireBinary('prometheus', 'prometheus', 'PROMETHEUS_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'inferometer-prometheus-'));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    ...targets.flatMap((t) => [`  - job_name: ${t.job}`, '    static_configs:', `      - targets: ['${t.target}']`]),
    ...(targets.length === 0 ? ['  []'] : []),
    extras.config ?? '',
  ].join('\n');
  for (const [name, content] of Object.entries(extras.files ?? {})) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      ...(extras.flags ?? []),
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
    await eventually('Prometheus to be ready', async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${log}`);
      return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const query: PrometheusServer['query'] = async (expr) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: [] } };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    return body.data.result;
  };
  return {
    url,
    dir,
    query,
    waitFor: (expr, accept, timeoutMs = 30_000) =>
      eventually(`${expr} to satisfy the check`, async () => {
        const result = await query(expr);
        if (result.length !== 1) return undefined;
        const value = Number(result[0]!.value[1]);
        return accept(value) ? value : undefined;
      }, timeoutMs),
    stop,
  };
}
