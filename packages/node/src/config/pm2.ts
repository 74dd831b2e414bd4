/**
 * pm2 as `start()` sees it, from the variables pm2 copies into every process
 * it runs (lib/ProcessContainer.js copies its whole `pm2_env` into
 * `process.env`): `pm_id`, `exec_mode`, `NODE_APP_INSTANCE` (renamed by
 * `instance_var` / `PM2_PROCESS_INSTANCE_VAR`), `increment_var`,
 * `instances`, `restart_time`.
 *
 * Why it matters: in cluster mode (`exec_mode: 'cluster'`) pm2's daemon is
 * the `node:cluster` primary of the app's processes. A port every instance
 * asks for is then one socket in the daemon, handed out round-robin per
 * connection (https://nodejs.org/api/cluster.html#how-it-works): with the
 * same pull port in every instance, Prometheus' kept-alive connection
 * reaches one instance only and the others are never scraped, with nothing
 * failing. So each instance serves its own port, the configured one plus
 * its instance number, as pm2's own `increment_var` would do it.
 */
import { ConfigurationError, describeSource, invalid, readString, variable, type ConfigurationSource, type Environment } from './env.js';

/** pm2's variable holding the instance number, unless `instance_var` renames it. */
export const PM2_INSTANCE_VARIABLE = 'NODE_APP_INSTANCE';

/** The variable of the pull endpoint's port (the OpenTelemetry one). */
export const PROMETHEUS_PORT_VARIABLE = 'OTEL_EXPORTER_PROMETHEUS_PORT';

/** What pm2 tells a process it runs. */
export interface Pm2Process {
  /** pm2's id of the process (`pm_id`, the `id` column of `pm2 list`). */
  readonly pmId: string;
  /** The app's name in pm2, when set. */
  readonly name: string | undefined;
  /** The instance number, 0 to `instances` - 1 (pm2 keeps it across reloads). */
  readonly instance: number;
  /** The variable the instance number was read from (`NODE_APP_INSTANCE` unless renamed). */
  readonly instanceVariable: string;
  /** The app's `instances`, when pm2 passes a count. */
  readonly instances: number | undefined;
  /** Cluster mode: this process is a `node:cluster` worker of pm2's daemon. */
  readonly clusterMode: boolean;
  /** The variable pm2 increments per instance (`increment_var`), when set. */
  readonly incrementVariable: string | undefined;
  /** pm2 started this instance again (`restart_time` above 0): a reload or a restart. */
  readonly restarted: boolean;
}

/**
 * Whether this is a worker of pm2's cluster mode, whose `node:cluster`
 * primary is pm2's daemon. A worker of the app's own cluster under pm2's
 * fork mode inherits `pm_id` but has `exec_mode=fork_mode`.
 */
export function inPm2Cluster(env: Environment, isWorker: boolean): boolean {
  return isWorker && readString(env, 'pm_id') !== undefined && readString(env, 'exec_mode') === 'cluster_mode';
}

/**
 * The pm2 process this is, or `undefined` outside pm2 (no `pm_id`, or no
 * instance number: pm2 has set both since 2.x).
 */
export function detectPm2(env: Environment, isWorker: boolean): Pm2Process | undefined {
  const pmId = readString(env, 'pm_id');
  if (pmId === undefined) return undefined;
  // The daemon's PM2_PROCESS_INSTANCE_VAR wins over the app's instance_var, as in pm2's God.injectVariables.
  const instanceVariable = readString(env, 'PM2_PROCESS_INSTANCE_VAR') ?? readString(env, 'instance_var') ?? PM2_INSTANCE_VARIABLE;
  const raw = readString(env, instanceVariable);
  if (raw === undefined) return undefined;
  if (!/^\d{1,5}$/.test(raw)) {
    throw invalid(variable(instanceVariable), raw, `is not an instance number (pm2 sets it; pm_id ${pmId})`, 'a whole number from 0, as pm2 sets it: leave the variable to pm2');
  }
  const instances = Number(readString(env, 'instances'));
  const restarts = Number(readString(env, 'restart_time'));
  return {
    pmId,
    name: readString(env, 'name'),
    instance: Number(raw),
    instanceVariable,
    instances: Number.isInteger(instances) && instances > 0 ? instances : undefined,
    clusterMode: inPm2Cluster(env, isWorker),
    incrementVariable: readString(env, 'increment_var'),
    restarted: Number.isInteger(restarts) && restarts > 0,
  };
}

/** The pull port of a pm2 instance, and how it was found (for the log line and errors). */
export interface Pm2PullPort {
  readonly port: number;
  /** How the port follows from the configuration, e.g. `OTEL_EXPORTER_PROMETHEUS_PORT 9464 + NODE_APP_INSTANCE 1`. */
  readonly derivation: string;
  /** The configured port is the first instance's; the instance number was added. */
  readonly offset: boolean;
}

/**
 * The port a pm2 instance serves: the configured port (`source`: the option,
 * the variable, or the default when undefined) plus the instance number, so
 * that instances never share one. Kept as configured when pm2 already makes
 * it differ (`increment_var: 'OTEL_EXPORTER_PROMETHEUS_PORT'`, port from the
 * variable) and when it is 0 (each instance binds a free port of its own).
 */
export function pm2PullPort(pm2: Pm2Process, configured: number, source: ConfigurationSource | undefined): Pm2PullPort {
  const named = source === undefined ? `the default port ${configured}` : `${describeSource(source)} ${configured}`;
  if (configured === 0) return { port: 0, derivation: `${named}: a free port of its own`, offset: false };
  if (source?.variable === PROMETHEUS_PORT_VARIABLE && pm2.incrementVariable === PROMETHEUS_PORT_VARIABLE) {
    return { port: configured, derivation: `${PROMETHEUS_PORT_VARIABLE} ${configured}, incremented per instance by pm2's increment_var`, offset: false };
  }
  const port = configured + pm2.instance;
  if (port > 65535) {
    const blamed = source ?? variable(PROMETHEUS_PORT_VARIABLE);
    throw invalid(blamed, configured, `plus ${pm2.instanceVariable} ${pm2.instance} (pm2 instance, pm_id ${pm2.pmId}) is past 65535`, `a base port such that base + the highest instance number is at most 65535`, {
      related: [pm2.instanceVariable],
    });
  }
  return { port, derivation: `${named} + ${pm2.instanceVariable} ${pm2.instance}`, offset: true };
}

/** The ports of all instances, as text: `9464..9465`, or `9464 + instance number` when pm2 passes no count. */
export function pm2PortRange(pm2: Pm2Process, pull: Pm2PullPort): string {
  if (pull.port === 0) return 'a free port per instance';
  const first = pull.port - pm2.instance;
  return pm2.instances === undefined ? `${first} + instance number` : `${first}..${first + pm2.instances - 1}`;
}

/** Who this process is, for messages: `pm2 app "iris" instance 1 (pm_id 3)`. */
export function describePm2(pm2: Pm2Process): string {
  return `pm2${pm2.name === undefined ? '' : ` app ${JSON.stringify(pm2.name)}`} instance ${pm2.instance} (pm_id ${pm2.pmId})`;
}

/**
 * The error for a pull port of a pm2 instance that is taken: under pm2 it is
 * never shared (a shared port answers each scrape from one instance).
 */
export function pm2PortTaken(pm2: Pm2Process, pull: Pm2PullPort, source: ConfigurationSource | undefined, cause: unknown): ConfigurationError {
  const blamed = source ?? variable(PROMETHEUS_PORT_VARIABLE);
  const reason = cause instanceof Error ? cause.message : String(cause);
  const base = pull.port - pm2.instance;
  const fix = pull.offset
    ? `every instance of a pm2 app serves its own port, the base port plus its instance number: pick a base with ${describeSource(blamed)} whose ports ${pm2PortRange(pm2, pull)} are all free (or 0 for any free port), and scrape every one (inferometer scrapeconfig --instances ${pm2.instances ?? 'N'} --port ${base})`
    : `give each instance a free port of its own (or 0 for any free port)`;
  return new ConfigurationError(`@inferometer/node start(): ${describePm2(pm2)} cannot serve metrics on port ${pull.port} (${pull.derivation}): ${reason}. Not sharing it: ${fix}`, {
    ...blamed,
    accepted: `a port free for this pm2 instance (${pull.offset ? 'base + instance number' : 'as configured'}); 0 picks a free one`,
    related: [pm2.instanceVariable, 'OTEL_EXPORTER_PROMETHEUS_HOST', 'prometheus.host'],
    cause,
  });
}
