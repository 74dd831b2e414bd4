/**
 * What every generated Kubernetes object shares: metadata checks (names and
 * labels as the API server validates them, see validation.ts) and the YAML
 * rendering (see ../yaml.ts: every string reads back as a string under
 * kubectl's YAML 1.1).
 */
import { OpsConfigError } from '../options.js';
import { toYaml } from '../yaml.js';
import { dns1123LabelProblems, dns1123SubdomainProblems, labelKeyProblems, labelValueProblems, portNameProblems } from './validation.js';
import type { RelabelConfig } from '../prometheus/relabel.js';

/** `metadata` of a generated object. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Options every Kubernetes generator takes. */
export interface KubernetesObjectOptions {
  /**
   * `metadata.name` of the object: a DNS-1123 subdomain (lower-case letters,
   * digits, `-` and `.`, at most 253 characters).
   * @example 'iris-server'
   */
  readonly name?: string;
  /**
   * `metadata.namespace`; left out by default, so `kubectl apply -n NS` (or
   * the context's namespace) decides.
   * @example 'models'
   */
  readonly namespace?: string;
  /**
   * `metadata.labels`. The Prometheus custom resource picks up monitors and
   * rules by label (`serviceMonitorSelector`, `ruleSelector`); the
   * kube-prometheus-stack chart selects `release: <its release name>`.
   * @example { release: 'kube-prometheus-stack' }
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The name an error message gives each option: the option itself for the
 * library functions, the CLI flag (`--port`) for the `inferometer` commands.
 */
export type OptionNames = (option: string) => string;
/** Options named as they are. */
export const OPTION_NAMES: OptionNames = (option) => option;

function fail(option: string, subject: string, what: string, problems: string[], expected: string): never {
  throw new OpsConfigError(option, `${subject} is not ${what} (${problems.join('; ')}); expected ${expected}`, [expected]);
}

/** An object name (DNS-1123 subdomain, at most 253 characters); `option` names the option or flag. */
export function checkObjectName(option: string, value: unknown): string {
  const problems = typeof value === 'string' ? dns1123SubdomainProblems(value) : ['must be a string'];
  if (problems.length > 0) {
    fail(option, `${option}=${JSON.stringify(value)}`, 'a Kubernetes object name', problems, 'a DNS-1123 subdomain: at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, e.g. iris-server');
  }
  return value as string;
}

/** A namespace name (DNS-1123 label, at most 63 characters). */
export function checkNamespace(option: string, value: unknown): string {
  const problems = typeof value === 'string' ? dns1123LabelProblems(value) : ['must be a string'];
  if (problems.length > 0) {
    fail(option, `${option}=${JSON.stringify(value)}`, 'a Kubernetes namespace', problems, 'a DNS-1123 label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit, e.g. models');
  }
  return value as string;
}

/** A port name (IANA service name) as a Service or container port is named. */
export function checkPortName(option: string, value: unknown): string {
  const problems = typeof value === 'string' ? portNameProblems(value) : ['must be a string'];
  if (problems.length > 0) {
    fail(option, `${option}=${JSON.stringify(value)}`, 'a Kubernetes port name', problems, 'an IANA service name: at most 15 lower-case letters, digits and "-", with at least one letter, no "-" first or last and no "--", e.g. metrics');
  }
  return value as string;
}

/** Label keys (`[prefix/]name`) and values as the API server accepts them. */
export function checkLabels(option: string, labels: Readonly<Record<string, string>>): Record<string, string> {
  if (labels === null || typeof labels !== 'object') throw new OpsConfigError(option, `${option}=${JSON.stringify(labels)}: expected an object of label values by key, e.g. { release: 'kube-prometheus-stack' }`, ['an object of label values by key']);
  const checked: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    const keyProblems = labelKeyProblems(key);
    if (keyProblems.length > 0) {
      fail(
        option,
        `${option}: label key ${JSON.stringify(key)}`,
        'a Kubernetes label key',
        keyProblems,
        'an optional DNS subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, e.g. app.kubernetes.io/name',
      );
    }
    const valueProblems = typeof value === 'string' ? labelValueProblems(value) : ['must be a string'];
    if (valueProblems.length > 0) {
      fail(option, `${option}: value ${JSON.stringify(value)} of label ${key}`, 'a Kubernetes label value', valueProblems, 'at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or empty), e.g. iris-server');
    }
    checked[key] = value;
  }
  return checked;
}

/** `metadata` from the options, with `name` defaulting to `defaultName`; `names` names the options in errors. */
export function objectMeta(options: KubernetesObjectOptions, defaultName: string, names: OptionNames = OPTION_NAMES): ObjectMeta {
  const labels = options.labels === undefined ? {} : checkLabels(names('labels'), options.labels);
  return {
    name: checkObjectName(names('name'), options.name ?? defaultName),
    ...(options.namespace === undefined ? {} : { namespace: checkNamespace(names('namespace'), options.namespace) }),
    labels: { 'app.kubernetes.io/managed-by': 'inferometer', ...labels },
  };
}

/**
 * A relabel config of prometheus-operator (`RelabelConfig` in
 * monitoring.coreos.com/v1): Prometheus' `relabel_config` with camelCase
 * field names. https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.RelabelConfig
 */
export interface OperatorRelabelConfig {
  readonly sourceLabels?: readonly string[];
  readonly separator?: string;
  readonly targetLabel?: string;
  readonly regex?: string;
  readonly modulus?: number;
  readonly replacement?: string;
  readonly action?: string;
}

/**
 * Translates a Prometheus relabel config (snake_case, as in
 * `metric_relabel_configs`) into the operator's field names. Every field is
 * translated by rule (`source_labels` becomes `sourceLabels`), so a field the
 * Prometheus side gains later is not silently lost; the CRD schema tests
 * catch a name the operator does not know.
 *
 * @example
 * ```ts
 * toOperatorRelabelConfig({ source_labels: ['__name__'], regex: 'ml_.*', action: 'keep' });
 * // { sourceLabels: ['__name__'], regex: 'ml_.*', action: 'keep' }
 * ```
 */
export function toOperatorRelabelConfig(config: RelabelConfig | Readonly<Record<string, unknown>>): OperatorRelabelConfig {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    out[key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())] = value;
  }
  return out as OperatorRelabelConfig;
}

/** An object as a YAML document, with a header saying which command made it and how to apply it. */
export function renderKubernetesObject(object: object, command: string): string {
  const header = `# Generated by \`inferometer ${command}\` (@inferometer/ops) from the Inferometer metric catalog. Apply with: kubectl apply -f <this file>\n`;
  return `${header}${toYaml(object)}`;
}

/** Parses `k=v,k2=v2` (CLI flags for labels and selectors). */
export function parseLabelList(option: string, raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new OpsConfigError(option, `${option}=${JSON.stringify(raw)}: expected key=value pairs separated by commas, e.g. app.kubernetes.io/name=iris,tier=gpu`, ['key=value pairs separated by commas']);
    labels[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return labels;
}
