/**
 * The Kubernetes commands of the `inferometer` CLI: flags and how each
 * becomes a generator's options. main.ts parses and dispatches.
 */
import { checkDuration, checkNumber, checkUrl, OpsConfigError } from '../options.js';
import { RULES_FLAGS, rulesOptionsFromFlags } from '../cli/rules-flags.js';
import { parseLabelList, renderKubernetesObject, type OptionNames } from './common.js';
import { buildMonitor, type MonitorOptions } from './monitors.js';
import { buildPrometheusRule } from './prometheus-rule.js';
import { buildScaledObject } from './scaled-object.js';

const METADATA_FLAGS = { name: { type: 'string' }, namespace: { type: 'string' }, labels: { type: 'string' } } as const;
const MONITOR_FLAGS = {
  ...METADATA_FLAGS,
  selector: { type: 'string' },
  port: { type: 'string' },
  path: { type: 'string' },
  interval: { type: 'string' },
  job: { type: 'string' },
  'keep-only-catalog': { type: 'boolean' },
} as const;

/** Accepted flags of each Kubernetes command. */
export const KUBERNETES_FLAGS = {
  servicemonitor: MONITOR_FLAGS,
  podmonitor: MONITOR_FLAGS,
  prometheusrule: { ...METADATA_FLAGS, ...RULES_FLAGS },
  scaledobject: {
    ...METADATA_FLAGS,
    deployment: { type: 'string' },
    'server-address': { type: 'string' },
    threshold: { type: 'string' },
    'min-replicas': { type: 'string' },
    'max-replicas': { type: 'string' },
    job: { type: 'string' },
    model: { type: 'string' },
  },
} as const;

/** A Kubernetes command. */
export type KubernetesCommand = keyof typeof KUBERNETES_FLAGS;

type Values = Record<string, string | boolean | undefined>;

// The flag of each generator option, so that the generators' own checks
// (names, labels, port names: validation.ts) report `--port`, not `port`.
const FLAG_OF: Readonly<Record<string, string>> = { serverAddress: 'server-address', minReplicas: 'min-replicas', maxReplicas: 'max-replicas', modelName: 'model' };
const FLAG_NAMES: OptionNames = (option) => `--${FLAG_OF[option] ?? option}`;
const str = (values: Values, flag: string): string | undefined => (typeof values[flag] === 'string' ? values[flag] : undefined);
const when = <T>(value: T | undefined, key: string): Record<string, T> => (value === undefined ? {} : { [key]: value });

function metadata(values: Values): { name?: string; namespace?: string; labels?: Record<string, string> } {
  const labels = str(values, 'labels');
  return { ...when(str(values, 'name'), 'name'), ...when(str(values, 'namespace'), 'namespace'), ...when(labels === undefined ? undefined : parseLabelList('--labels', labels), 'labels') };
}

function required(values: Values, flag: string, example: string): string {
  const value = str(values, flag);
  if (value === undefined) throw new OpsConfigError(`--${flag}`, `--${flag} is required, e.g. --${flag} ${example}`, [`--${flag} <value>`]);
  return value;
}

function replicas(values: Values, flag: string): number | undefined {
  const raw = str(values, flag);
  if (raw === undefined) return undefined;
  const n = checkNumber(`--${flag}`, raw, 0, Number.POSITIVE_INFINITY, flag === 'min-replicas' ? '1' : '10');
  if (!Number.isInteger(n)) throw new OpsConfigError(`--${flag}`, `--${flag}=${JSON.stringify(raw)}: expected a whole number of replicas, e.g. ${flag === 'min-replicas' ? '1' : '10'}`, ['a whole number of replicas']);
  return n;
}

/** The object a Kubernetes command prints, from its flags (checked; errors name the flag). */
export function kubernetesObjectFromFlags(command: KubernetesCommand, values: Values): object {
  switch (command) {
    case 'servicemonitor':
    case 'podmonitor': {
      const selector = str(values, 'selector');
      const options: MonitorOptions = {
        ...metadata(values),
        ...when(selector === undefined ? undefined : parseLabelList('--selector', selector), 'selector'),
        ...when(str(values, 'port'), 'port'),
        ...when(str(values, 'path'), 'path'),
        ...when(values.interval === undefined ? undefined : checkDuration('--interval', values.interval), 'interval'),
        ...when(str(values, 'job'), 'job'),
        keepOnlyCatalog: values['keep-only-catalog'] === true,
      };
      return command === 'servicemonitor' ? buildMonitor('ServiceMonitor', options, FLAG_NAMES) : buildMonitor('PodMonitor', options, FLAG_NAMES);
    }
    case 'prometheusrule':
      // The same flags, checked the same way, as `inferometer rules`.
      return buildPrometheusRule({ ...metadata(values), ...rulesOptionsFromFlags(values) }, FLAG_NAMES);
    case 'scaledobject': {
      const deployment = required(values, 'deployment', 'iris-server');
      const serverAddress = checkUrl('--server-address', required(values, 'server-address', 'http://prometheus-operated.monitoring.svc:9090'));
      const threshold = checkNumber('--threshold', required(values, 'threshold', '8'), 0, Number.POSITIVE_INFINITY, '8');
      return buildScaledObject(
        {
          ...metadata(values),
          deployment,
          serverAddress,
          threshold,
          ...when(replicas(values, 'min-replicas'), 'minReplicas'),
          ...when(replicas(values, 'max-replicas'), 'maxReplicas'),
          ...when(str(values, 'job'), 'job'),
          ...when(str(values, 'model'), 'modelName'),
        },
        FLAG_NAMES,
      );
    }
  }
}

/** The YAML a Kubernetes command prints. */
export function runKubernetesCommand(command: KubernetesCommand, values: Values): string {
  return renderKubernetesObject(kubernetesObjectFromFlags(command, values), command);
}
