/**
 * `ServiceMonitor` and `PodMonitor` (monitoring.coreos.com/v1) for the model
 * servers: prometheus-operator turns them into a scrape job that selects the
 * metrics port by name, sets the `job` label the rules and dashboard select
 * on, and applies the cardinality guard's metric relabelling.
 * API: https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor
 */
import { checkDuration, checkRegex, DEFAULT_JOB, OpsConfigError } from '../options.js';
import { metricRelabelConfigs } from '../prometheus/relabel.js';
import { checkLabels, checkPortName, objectMeta, OPTION_NAMES, toOperatorRelabelConfig, type KubernetesObjectOptions, type ObjectMeta, type OperatorRelabelConfig, type OptionNames } from './common.js';

/** API version of the monitors and the PrometheusRule. */
export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';
/** Default name of the port that serves `/metrics`. */
export const DEFAULT_METRICS_PORT_NAME = 'metrics';
/** Default object name and selector value. */
export const DEFAULT_OBJECT_NAME = 'inferometer';

/** Options of {@link serviceMonitor} and {@link podMonitor}. */
export interface MonitorOptions extends KubernetesObjectOptions {
  /**
   * `matchLabels` of the Services (ServiceMonitor) or Pods (PodMonitor) to
   * scrape. Default `{ 'app.kubernetes.io/name': <name> }`.
   * @example { 'app.kubernetes.io/name': 'iris-server' }
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * Name of the port that serves the metrics (`spec.ports[].name` of the
   * Service, `containers[].ports[].name` of the Pod). By name, so the port
   * number can change without touching the monitor. Default `metrics`.
   * An IANA service name, as Kubernetes requires of port names: at most 15
   * lower-case letters, digits and `-`, at least one letter, no `-` first or
   * last, no `--`.
   * @example 'http-metrics'
   */
  readonly port?: string;
  /**
   * HTTP path of the exposition. Default `/metrics`.
   * @example '/internal/metrics'
   */
  readonly path?: string;
  /**
   * Scrape interval (a Prometheus duration); left out by default, so the
   * Prometheus resource's own interval applies.
   * @example '15s'
   */
  readonly interval?: string;
  /**
   * Value of the `job` label of the scraped series. The operator would name
   * the job after the Service (or `<namespace>/<podmonitor>`); this sets it to
   * the name `inferometer rules --job` and `inferometer dashboard --job`
   * select on. Default `inferometer`.
   * @example 'iris'
   */
  readonly job?: string;
  /**
   * Keep only the catalog's series from these targets (see `inferometer
   * relabel --keep-only-catalog`). Default `false`.
   * @example true
   */
  readonly keepOnlyCatalog?: boolean;
}

/** One scrape endpoint of a monitor (the fields the generator sets). */
export interface MonitorEndpoint {
  readonly port: string;
  readonly path: string;
  readonly interval?: string;
  readonly relabelings: readonly OperatorRelabelConfig[];
  readonly metricRelabelings: readonly OperatorRelabelConfig[];
}

/** A generated ServiceMonitor. */
export interface ServiceMonitor {
  readonly apiVersion: typeof MONITORING_API_VERSION;
  readonly kind: 'ServiceMonitor';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly selector: { readonly matchLabels: Record<string, string> }; readonly endpoints: readonly MonitorEndpoint[] };
}

/** A generated PodMonitor. */
export interface PodMonitor {
  readonly apiVersion: typeof MONITORING_API_VERSION;
  readonly kind: 'PodMonitor';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly selector: { readonly matchLabels: Record<string, string> }; readonly podMetricsEndpoints: readonly MonitorEndpoint[] };
}

// A Prometheus label value for `job`: any string would do, but a regex-free
// name keeps `job=~"<job>"` in the rules matching exactly this job.
const JOB_NAME = /^[A-Za-z0-9_.:-]+$/;

/** The `job` a monitor sets: one name, not a pattern. */
export function checkJobName(option: string, value: unknown): string {
  const job = checkRegex(option, value);
  if (!JOB_NAME.test(job)) throw new OpsConfigError(option, `${option}=${JSON.stringify(job)}: expected a job name (letters, digits, "_", ".", ":", "-"), e.g. inferometer; a monitor sets one job, not a pattern`, ['a job name of letters, digits, "_", ".", ":" and "-"']);
  return job;
}

function resolve(options: MonitorOptions, names: OptionNames): { metadata: ObjectMeta; matchLabels: Record<string, string>; endpoint: MonitorEndpoint } {
  const metadata = objectMeta(options, DEFAULT_OBJECT_NAME, names);
  // The default selector takes the object name, which may be longer (253) than a label value (63).
  const selectorName = options.selector === undefined ? `${names('selector')} (by default app.kubernetes.io/name=<${names('name')}>)` : names('selector');
  const matchLabels = checkLabels(selectorName, options.selector ?? { 'app.kubernetes.io/name': metadata.name });
  if (Object.keys(matchLabels).length === 0) throw new OpsConfigError(names('selector'), `${names('selector')}={}: expected at least one label; an empty selector would scrape every Service or Pod of the namespace`, ['at least one label']);
  // Port names are IANA service names, checked as the API server checks
  // Service and container ports; a monitor naming any other port matches none.
  const port = checkPortName(names('port'), options.port ?? DEFAULT_METRICS_PORT_NAME);
  const path = options.path ?? '/metrics';
  if (typeof path !== 'string' || !path.startsWith('/')) throw new OpsConfigError(names('path'), `${names('path')}=${JSON.stringify(path)}: expected an HTTP path starting with "/", e.g. /metrics`, ['an HTTP path starting with "/"']);
  const job = checkJobName(names('job'), options.job ?? DEFAULT_JOB);
  const endpoint: MonitorEndpoint = {
    port,
    path,
    ...(options.interval === undefined ? {} : { interval: checkDuration(names('interval'), options.interval) }),
    // Target relabelling: the job label the rules and the dashboard select on.
    relabelings: [{ action: 'replace', targetLabel: 'job', replacement: job }],
    metricRelabelings: metricRelabelConfigs({ keepOnlyCatalog: options.keepOnlyCatalog === true }).map(toOperatorRelabelConfig),
  };
  return { metadata, matchLabels, endpoint };
}

/**
 * The monitor of `kind` for `options`, errors naming each option by
 * `names(option)` (the CLI passes its flag names).
 */
export function buildMonitor(kind: 'ServiceMonitor', options: MonitorOptions, names?: OptionNames): ServiceMonitor;
export function buildMonitor(kind: 'PodMonitor', options: MonitorOptions, names?: OptionNames): PodMonitor;
export function buildMonitor(kind: 'ServiceMonitor' | 'PodMonitor', options: MonitorOptions, names: OptionNames = OPTION_NAMES): ServiceMonitor | PodMonitor {
  const { metadata, matchLabels, endpoint } = resolve(options, names);
  return kind === 'ServiceMonitor'
    ? { apiVersion: MONITORING_API_VERSION, kind, metadata, spec: { selector: { matchLabels }, endpoints: [endpoint] } }
    : { apiVersion: MONITORING_API_VERSION, kind, metadata, spec: { selector: { matchLabels }, podMetricsEndpoints: [endpoint] } };
}

/**
 * A ServiceMonitor that scrapes the named port of the Services matching
 * `selector`.
 *
 * @example
 * ```ts
 * const monitor = serviceMonitor({ name: 'iris-server', namespace: 'models', labels: { release: 'kube-prometheus-stack' } });
 * ```
 */
export function serviceMonitor(options: MonitorOptions = {}): ServiceMonitor {
  return buildMonitor('ServiceMonitor', options);
}

/**
 * A PodMonitor that scrapes the named container port of the Pods matching
 * `selector` (for model servers without a Service, such as batch workers).
 *
 * @example
 * ```ts
 * const monitor = podMonitor({ name: 'iris-worker', selector: { app: 'iris-worker' } });
 * ```
 */
export function podMonitor(options: MonitorOptions = {}): PodMonitor {
  return buildMonitor('PodMonitor', options);
}
