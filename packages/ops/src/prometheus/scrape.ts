/**
 * A Prometheus `scrape_configs` job for Inferometer pull endpoints, with one
 * target per pm2 instance: under pm2, `start()` serves each instance on the
 * configured port plus its instance number (`NODE_APP_INSTANCE`), since one
 * port shared through pm2's cluster would answer each scrape from a single
 * instance (see @inferometer/node's README, "pm2"). The job carries the
 * catalog's metric relabelling (relabel.ts) and the `job` name the rules and
 * dashboard select on.
 * Reference: https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config
 */
import { isIP } from 'node:net';
import { stringify } from 'yaml';
import { checkDuration, DEFAULT_JOB, durationMillis, OpsConfigError } from '../options.js';
import { metricRelabelConfigs, type RelabelConfig } from './relabel.js';

/** The pull endpoint's default port (OTEL_EXPORTER_PROMETHEUS_PORT's default). */
export const DEFAULT_PULL_PORT = 9464;
/** Most instances per host a config lists: far above any core count, small enough to read. */
export const MAX_INSTANCES = 1024;

/** Options of {@link scrapeConfig}. */
export interface ScrapeConfigOptions {
  /**
   * `job_name`, the `job` label of the scraped series: the one
   * `inferometer rules --job` and `inferometer dashboard --job` select on.
   * Default `inferometer`.
   * @example 'iris'
   */
  readonly job?: string;
  /**
   * Hosts that run the app, each with every instance. Default `['localhost']`.
   * @example ['10.0.0.5', 'model-2.internal']
   */
  readonly hosts?: readonly string[];
  /**
   * The first instance's port: `OTEL_EXPORTER_PROMETHEUS_PORT` (or
   * `prometheus.port`) of the app, default 9464.
   * @example 19464
   */
  readonly port?: number;
  /**
   * How many instances each host runs (pm2's `instances`): instance `i`
   * serves `port + i`. Default 1.
   * @example 4
   */
  readonly instances?: number;
  /**
   * `scrape_interval` of the job (a Prometheus duration); left out by
   * default, so the global one applies.
   * @example '15s'
   */
  readonly interval?: string;
  /**
   * `scrape_timeout` of the job; left out by default. At most the interval.
   * @example '10s'
   */
  readonly scrapeTimeout?: string;
  /**
   * Keep only the catalog's series (see `inferometer relabel
   * --keep-only-catalog`). Default `false`.
   * @example true
   */
  readonly keepOnlyCatalog?: boolean;
}

/** One job of `scrape_configs` (the fields this generator writes). */
export interface ScrapeJob {
  readonly job_name: string;
  readonly scrape_interval?: string;
  readonly scrape_timeout?: string;
  readonly metrics_path: string;
  readonly static_configs: readonly { readonly targets: readonly string[] }[];
  readonly metric_relabel_configs: readonly RelabelConfig[];
}

/** The job scraping every instance of every host. */
export function scrapeConfig(options: ScrapeConfigOptions = {}): ScrapeJob {
  const job = options.job ?? DEFAULT_JOB;
  if (typeof job !== 'string' || job === '' || /[\u0000-\u001f]/.test(job)) throw new OpsConfigError('job', `job=${JSON.stringify(job)}: expected a job name without control characters, e.g. ${DEFAULT_JOB}`, ['a job name without control characters']);
  const port = checkWhole('port', options.port ?? DEFAULT_PULL_PORT, 1, 65535, String(DEFAULT_PULL_PORT));
  const instances = checkWhole('instances', options.instances ?? 1, 1, MAX_INSTANCES, '4');
  if (port + instances - 1 > 65535) throw new OpsConfigError('instances', `${instances} instances from port ${port} end at ${port + instances - 1}, past 65535; expected a port and instance count whose last port is at most 65535`, ['a port and instance count whose last port is at most 65535'], { related: ['port'], code: 'ERR_INFEROMETER_CONFLICTING_OPTIONS' });
  const hosts = options.hosts ?? ['localhost'];
  if (!Array.isArray(hosts) || hosts.length === 0) throw new OpsConfigError('hosts', `hosts=${JSON.stringify(hosts)}: expected at least one host name or address, e.g. localhost`, ['at least one host name or address']);
  const targets = hosts.flatMap((host) => {
    const shown = checkHost(host);
    return Array.from({ length: instances }, (_, i) => `${shown}:${port + i}`);
  });
  const interval = options.interval === undefined ? undefined : checkDuration('interval', options.interval);
  const timeout = options.scrapeTimeout === undefined ? undefined : checkDuration('scrapeTimeout', options.scrapeTimeout);
  if (interval !== undefined && timeout !== undefined && durationMillis(timeout)! > durationMillis(interval)!) {
    // Prometheus refuses the whole file for it.
    throw new OpsConfigError('scrapeTimeout', `scrape timeout ${timeout} is longer than the interval ${interval}; expected a timeout of at most the interval`, ['a duration of at most the interval'], { related: ['interval'], code: 'ERR_INFEROMETER_CONFLICTING_OPTIONS' });
  }
  return {
    job_name: job,
    ...(interval === undefined ? {} : { scrape_interval: interval }),
    ...(timeout === undefined ? {} : { scrape_timeout: timeout }),
    metrics_path: '/metrics',
    static_configs: [{ targets }],
    metric_relabel_configs: metricRelabelConfigs({ keepOnlyCatalog: options.keepOnlyCatalog === true }),
  };
}

/** {@link scrapeConfig} as a `scrape_configs:` YAML document to paste into prometheus.yml. */
export function renderScrapeConfig(options: ScrapeConfigOptions = {}): string {
  const job = scrapeConfig(options);
  const instances = options.instances ?? 1;
  const first = options.port ?? DEFAULT_PULL_PORT;
  const ports = instances === 1 ? `port ${first}` : `ports ${first}..${first + instances - 1} (each pm2 instance serves the base port + NODE_APP_INSTANCE)`;
  return `# Generated by \`inferometer scrapeconfig\` (@inferometer/ops): ${instances} instance${instances === 1 ? '' : 's'} per host, ${ports}.\n` + stringify({ scrape_configs: [job] }, { lineWidth: 0 });
}

/** A whole number in [min, max]; `name` is the option or flag. */
export function checkWhole(name: string, value: unknown, min: number, max: number, example: string): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < min || number > max) throw new OpsConfigError(name, `${name}=${JSON.stringify(value)}: expected a whole number from ${min} to ${max}, e.g. ${example}`, [`a whole number from ${min} to ${max}`]);
  return number;
}

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** A host as a target writes it: IPv6 in brackets; `name` is the option or flag. */
export function checkHost(host: unknown, name = 'hosts'): string {
  if (typeof host === 'string' && isIP(host) === 6) return `[${host}]`;
  if (typeof host === 'string' && (isIP(host) === 4 || HOST_NAME.test(host))) return host;
  throw new OpsConfigError(name, `${name}: ${JSON.stringify(host)} is not a host name or IP address; expected e.g. localhost, 10.0.0.5, model-2.internal or ::1`, ['a host name', 'an IPv4 address', 'an IPv6 address']);
}

