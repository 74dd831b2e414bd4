import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer, type Server } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { main as inferometer } from '@inferometer/ops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '../support/ports.js';
import { startPrometheusWithConfig, type PrometheusServer } from '../support/prometheus.js';

// pm2's cluster mode with the real pm2 from npm: its daemon is the
// node:cluster primary of the app's instances and runs no Inferometer. A
// plain start() in each instance (test/fixtures/pm2-app.mjs) must get every
// instance scraped, on a port of its own, by a real Prometheus configured
// with `inferometer scrapeconfig`, and the calls counted must be the calls
// made, also across `pm2 reload` (which replaces each instance's process, so
// each instance's counter resets once).
const FIXTURE = fileURLToPath(new URL('../fixtures/pm2-app.mjs', import.meta.url));
const PREDICTIONS = METRIC_PREDICTIONS.prometheusName;
const INSTANCES = 2;
const run = promisify(execFile);

/** pm2's CLI, from the root devDependency: missing, the suite fails, never skips. */
function pm2Cli(): string {
  try {
    return createRequire(import.meta.url).resolve('pm2/bin/pm2');
  } catch (err) {
    throw new Error('pm2 is not installed: it is a root devDependency, `npm ci` installs it (these tests run the real pm2)', { cause: err });
  }
}

let home: string;
let cli: string;
/** Runs pm2 with its own PM2_HOME: the tests never touch ~/.pm2 nor a daemon already running. */
const pm2 = async (...args: string[]): Promise<string> => {
  const { stdout } = await run(process.execPath, [cli, ...args], {
    cwd: home,
    // A clean environment: vitest's variables stay out of the daemon and its workers.
    env: { PATH: process.env.PATH, HOME: home, PM2_HOME: join(home, 'pm2'), PM2_DISABLE_VERSION_CHECK: 'true', NO_COLOR: '1' },
    timeout: 60_000,
  });
  return stdout;
};

let reloading: Promise<unknown> = Promise.resolve();
/** `pm2 reload`, one at a time: pm2 refuses a reload while another runs (a lock in PM2_HOME). */
function reload(name: string): Promise<string> {
  const done = reloading.then(() => pm2('reload', name));
  reloading = done.catch(() => undefined);
  return done;
}

beforeAll(async () => {
  cli = pm2Cli();
  home = mkdtempSync(join(tmpdir(), 'inferometer-pm2-'));
  // The daemon first: CLIs run side by side by the tests would each try to spawn it.
  expect(await pm2('ping')).toContain('pong');
}, 60_000);
afterAll(async () => {
  if (home === undefined) return;
  try {
    // Stops the daemon and every app the tests started.
    await pm2('kill');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}, 60_000);

/** `count` consecutive ports free on loopback right now, the first returned. */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await freePort();
    if (first + count - 1 > 65535) continue;
    const held: Server[] = [];
    try {
      for (let i = 0; i < count; i++) held.push(await listen(first + i));
      return first;
    } catch {
      // One of them is taken: try elsewhere.
    } finally {
      await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function listen(port: number): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

interface Answer {
  readonly instance: number;
  readonly pid: number;
  readonly metricsUrl: string;
}

/** One call on a new connection, so pm2's round-robin spreads the calls over the instances. */
function call(appPort: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: appPort, path: '/predict', agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(body) as Answer) : reject(new Error(`HTTP ${response.statusCode}: ${body}`))));
    }).on('error', reject);
  });
}

/** Makes `n` calls and counts them per instance port (what each instance served). */
async function calls(appPort: number, n: number): Promise<Map<number, number>> {
  const served = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const port = Number(new URL((await call(appPort)).metricsUrl).port);
    served.set(port, (served.get(port) ?? 0) + 1);
  }
  return served;
}

interface App {
  readonly name: string;
  readonly base: number;
  readonly appPort: number;
  readonly stateDir: string;
}

/**
 * Starts the fixture under pm2 in cluster mode, `extra` added to the app's
 * entry, and waits until `listeners` of its processes listen; `base`
 * defaults to free ports.
 */
async function startApp(name: string, extra: Record<string, unknown> = {}, base?: number, listeners = INSTANCES): Promise<App> {
  base ??= await freePorts(INSTANCES);
  const appPort = await freePort();
  const stateDir = mkdtempSync(join(home, `${name}-`));
  const ecosystem = join(home, `${name}.config.json`);
  writeFileSync(
    ecosystem,
    JSON.stringify({
      apps: [
        {
          name,
          script: FIXTURE,
          exec_mode: 'cluster',
          instances: INSTANCES,
          // pm2 reload stops the old process when the new one listens, or
          // after listen_timeout whatever happens (3 s by default:
          // GRACEFUL_LISTEN_TIMEOUT in pm2's constants.js, the backstop in
          // lib/God/Reload.js). On a loaded CI machine a new process can take
          // longer than 3 s to load, and then finds its port already free,
          // so the wait for the predecessor this test checks never happens
          // (CI on d901e33). A slow-starting service sets it the same way.
          listen_timeout: 60_000,
          // One value for every instance, as an ecosystem file gives it.
          env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(base), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', APP_PORT: String(appPort), STATE_DIR: stateDir },
          ...extra,
        },
      ],
    }),
  );
  await pm2('start', ecosystem);
  const app = { name, base, appPort, stateDir };
  // pm2 start returns once the processes run, not once they listen.
  await listening(app, listeners);
  return app;
}

/** Waits until `count` processes of the app have ever listened (the fixture leaves a file per process). */
async function listening(app: App, count: number): Promise<void> {
  await eventually(`${count} processes of ${app.name} to listen`, async () => (readdirSync(app.stateDir).filter((file) => file.startsWith('ready-')).length >= count ? true : undefined));
}

/** Prometheus with the job `inferometer scrapeconfig` writes for the app's instances. */
async function prometheusFor(job: string, base: number): Promise<PrometheusServer> {
  let config = '';
  const code = await inferometer(['scrapeconfig', '--instances', String(INSTANCES), '--port', String(base), '--host', '127.0.0.1', '--job', job, '--interval', '1s'], {
    stdout: (text) => (config += text),
    stderr: (text) => (config += text),
  });
  expect(code, config).toBe(0);
  return startPrometheusWithConfig(config);
}

/** Per instance label: the value of the app's predictions counter, as Prometheus has it now. */
async function counted(prometheus: PrometheusServer, job: string): Promise<Map<string, number>> {
  const result = await prometheus.query(`sum by (instance) (${PREDICTIONS}{job="${job}"})`);
  return new Map(result.map((r) => [r.metric.instance!, Number(r.value[1])]));
}

/** Waits until Prometheus holds, for every instance port, the calls that instance served. */
async function waitForCounts(prometheus: PrometheusServer, job: string, served: Map<number, number>): Promise<void> {
  const expected = new Map([...served].map(([port, n]) => [`127.0.0.1:${port}`, n]));
  let seen = new Map<string, number>();
  try {
    await eventually(
      `Prometheus to count ${JSON.stringify([...expected])}`,
      async () => {
        seen = await counted(prometheus, job);
        return [...expected].every(([instance, n]) => seen.get(instance) === n) && seen.size === expected.size ? true : undefined;
      },
      30_000,
    );
  } catch (err) {
    // What Prometheus had instead, and how each target's scrapes went: a
    // count that lags (scrapes failing or timing out) reads differently from
    // a count that is wrong.
    const per = async (query: string) => JSON.stringify((await prometheus.query(query)).map((r) => [r.metric.instance, r.metric.code, r.value[1]]));
    const scrapes = await Promise.all([
      per(`up{job="${job}"}`),
      per(`scrape_duration_seconds{job="${job}"}`),
      per(`sum by (instance, code) (inferometer_scrape_requests_total{job="${job}"})`),
    ]);
    throw new Error(`${(err as Error).message}; counted ${JSON.stringify([...seen])}; up ${scrapes[0]}; scrape seconds ${scrapes[1]}; answers by code ${scrapes[2]}`);
  }
}

/** target_info's service_instance_id per instance label. */
async function identities(prometheus: PrometheusServer, job: string): Promise<Map<string, string>> {
  const result = await prometheus.query(`target_info{job="${job}"}`);
  return new Map(result.map((r) => [r.metric.instance!, r.metric.service_instance_id!]));
}

/**
 * The calls counted per instance over the whole test, from the raw samples:
 * each process's counter starts at 0, so the count is the sum of the last
 * value before each reset and the last value (what increase() counts,
 * without its extrapolation to the window's edges), and the resets.
 */
async function history(prometheus: PrometheusServer, job: string): Promise<Map<string, { total: number; resets: number }>> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(`${PREDICTIONS}{job="${job}"}[10m]`)}`);
  const body = (await response.json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
  const byInstance = new Map<string, { total: number; resets: number }>();
  for (const series of body.data.result) {
    let total = 0;
    let resets = 0;
    let last = 0;
    for (const [, raw] of series.values) {
      const value = Number(raw);
      if (value < last) {
        total += last;
        resets++;
      }
      last = value;
    }
    total += last;
    const entry = byInstance.get(series.metric.instance!) ?? { total: 0, resets: 0 };
    byInstance.set(series.metric.instance!, { total: entry.total + total, resets: entry.resets + resets });
  }
  return byInstance;
}

const add = (a: Map<number, number>, b: Map<number, number>): Map<number, number> => new Map([...new Set([...a.keys(), ...b.keys()])].map((k) => [k, (a.get(k) ?? 0) + (b.get(k) ?? 0)]));

/** What the app's processes wrote to pm2's logs (stdout, where the fixture sends diag). */
function appLogs(name: string): string {
  const dir = join(home, 'pm2', 'logs');
  return readdirSync(dir)
    .filter((file) => file.startsWith(`${name}-out-`))
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('');
}

const BEFORE_RELOAD = 40;
// Fewer than either instance served before (pm2 hands connections out in
// turns): each instance's new counter stays below its old one, so the
// reload reads as the one counter reset it is.
const AFTER_RELOAD = 10;

/** The scenario both configurations must pass: every instance scraped, exact before and across a reload. */
async function everyInstanceCounted(name: string, extra: Record<string, unknown>, expectedDerivation: RegExp): Promise<void> {
  const base = await freePorts(INSTANCES);
  // Prometheus starts beside the app (it takes seconds to begin scraping static targets).
  const [app, prometheus] = await Promise.all([startApp(name, extra, base), prometheusFor(name, base)]);
  try {
    const ports = Array.from({ length: INSTANCES }, (_, i) => base + i);
    const before = await calls(app.appPort, BEFORE_RELOAD);
    // Every instance served calls, each seen on its own port: base + NODE_APP_INSTANCE.
    expect([...before.keys()].sort()).toEqual(ports);
    await waitForCounts(prometheus, name, before);
    const first = await identities(prometheus, name);
    // Distinct identities: the instance label (the target) and service.instance.id.
    expect([...first.keys()].sort()).toEqual(ports.map((p) => `127.0.0.1:${p}`));
    expect(new Set(first.values()).size).toBe(INSTANCES);

    // Each instance says where it serves (diag, which the fixture sends to the console, which pm2 logs).
    const logs = appLogs(name);
    for (const port of ports) expect(logs).toContain(`serves metrics at http://127.0.0.1:${port}/metrics`);
    expect(logs).toMatch(expectedDerivation);
    expect(logs).toContain(`instances ${base}..${base + INSTANCES - 1}`);

    await reload(name);
    await listening(app, 2 * INSTANCES);
    // Each new process found its port still held by the process pm2 was replacing, and waited for it.
    await eventually('the new processes to bind their ports', async () => {
      const logs = appLogs(name);
      return ports.every((port) => logs.split(`serves metrics at http://127.0.0.1:${port}/metrics`).length - 1 === 2) ? logs : undefined;
    });
    expect(appLogs(name).split('is still held (by the process pm2 is replacing').length - 1).toBe(INSTANCES);
    // The new processes are scraped: each instance's target_info names a new service.instance.id.
    await eventually('the reloaded instances to be scraped', async () => {
      const now = await identities(prometheus, name);
      return now.size === INSTANCES && [...now].every(([instance, id]) => first.has(instance) && first.get(instance) !== id) ? true : undefined;
    });
    const after = await calls(app.appPort, AFTER_RELOAD);
    expect([...after.keys()].sort()).toEqual(ports);
    for (const port of ports) expect(before.get(port)!, `calls instance ${port} served before the reload`).toBeGreaterThan(AFTER_RELOAD);
    // What the dashboard shows now: each instance's counter holds what its new process served.
    await waitForCounts(prometheus, name, after);

    // Over the whole run: every call counted once, one reset per instance
    // (the reload), never the old and the new process answering in turns.
    const all = add(before, after);
    const counts = await history(prometheus, name);
    for (const port of ports) expect(counts.get(`127.0.0.1:${port}`), `instance on ${port}`).toEqual({ total: all.get(port), resets: 1 });
    const resets = await prometheus.query(`sum(resets(${PREDICTIONS}{job="${name}"}[10m]))`);
    expect(Number(resets[0]!.value[1])).toBe(INSTANCES);
    // The same total as a user would ask for it, per process: each process's
    // counter (told apart by target_info's service_instance_id, new at every
    // start) only grows, so its largest value is what it served.
    const perProcess = `sum by (instance) (${PREDICTIONS}{job="${name}"}) * on (instance) group_left (service_instance_id) target_info{job="${name}"}`;
    // (Waited for: the subquery's last 1 s step may fall just before the latest scrape.)
    expect(await prometheus.waitFor(`sum(max_over_time((${perProcess})[10m:1s]))`, (n) => n === BEFORE_RELOAD + AFTER_RELOAD, 10_000)).toBe(BEFORE_RELOAD + AFTER_RELOAD);
  } finally {
    await prometheus.stop();
  }
}

// Concurrent: most of each test waits (Prometheus' first scrapes, pm2's reload), and each has its own app and ports.
describe.concurrent('pm2 cluster mode (real pm2, real Prometheus)', () => {
  it('a plain start(): each instance serves base + NODE_APP_INSTANCE, every instance is counted, also across pm2 reload', async () => {
    await everyInstanceCounted('plain', {}, /OTEL_EXPORTER_PROMETHEUS_PORT \d+ \+ NODE_APP_INSTANCE 1/);
  }, 90_000);

  it("with increment_var on the port variable: pm2's ports are kept, and counted the same way", async () => {
    await everyInstanceCounted('incremented', { increment_var: 'OTEL_EXPORTER_PROMETHEUS_PORT' }, /incremented per instance by pm2's increment_var/);
  }, 90_000);

  it('an instance whose port is taken fails start() with a ConfigurationError naming the fix, and shares nothing', async () => {
    const base = await freePorts(INSTANCES);
    const holder = await listen(base + 1);
    try {
      // No restarts: the failed instance stays down.
      const app = await startApp('taken', { autorestart: false }, base, 1);
      const errorFile = join(app.stateDir, 'start-error-1.json');
      await eventually('instance 1 to report its start() failure', async () => (existsSync(errorFile) ? true : undefined));
      const error = JSON.parse(readFileSync(errorFile, 'utf8')) as { name: string; message: string; variable?: string };
      expect(error.name).toBe('ConfigurationError');
      expect(error.variable).toBe('OTEL_EXPORTER_PROMETHEUS_PORT');
      expect(error.message).toContain(`cannot serve metrics on port ${base + 1} (OTEL_EXPORTER_PROMETHEUS_PORT ${base} + NODE_APP_INSTANCE 1)`);
      expect(error.message).toContain(`inferometer scrapeconfig --instances 2 --port ${base}`);
      // Instance 0 serves its own port; instance 1 never took a share of it.
      expect(existsSync(join(app.stateDir, 'start-error-0.json'))).toBe(false);
      const answers = await calls(app.appPort, 6);
      expect([...answers.keys()]).toEqual([base]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);
});
