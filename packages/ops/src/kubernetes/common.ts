/**
 * What every generated Kubernetes object shares: metadata checks (names and
 * labels as the API server validates them) and the YAML rendering.
 */
import { stringify } from 'yaml';
import { OpsConfigError } from '../options.js';
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

// Kubernetes object names and labels (apimachinery validation):
// https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** An object name (DNS-1123 subdomain, at most 253 characters); `option` names the option or flag. */
export function checkObjectName(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new OpsConfigError(`${option}=${JSON.stringify(value)}: expected a Kubernetes object name (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters), e.g. iris-server`);
  }
  return value;
}

/** A namespace name (DNS-1123 label, at most 63 characters). */
export function checkNamespace(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new OpsConfigError(`${option}=${JSON.stringify(value)}: expected a Kubernetes namespace (lower-case letters, digits and "-", at most 63 characters), e.g. models`);
  }
  return value;
}

/** Label keys (`[prefix/]name`) and values as the API server accepts them. */
export function checkLabels(option: string, labels: Readonly<Record<string, string>>): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    const keyOk = name.length <= 63 && LABEL_NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix)));
    if (!keyOk) {
      throw new OpsConfigError(`${option}: label key ${JSON.stringify(key)} is not a Kubernetes label key ([prefix/]name, name at most 63 letters, digits, "-", "_", "."), e.g. app.kubernetes.io/name`);
    }
    if (typeof value !== 'string' || value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
      throw new OpsConfigError(`${option}: value ${JSON.stringify(value)} of label ${key} is not a Kubernetes label value (at most 63 letters, digits, "-", "_", ".", starting and ending with a letter or digit)`);
    }
    checked[key] = value;
  }
  return checked;
}

/** `metadata` from the options, with `name` defaulting to `defaultName`. */
export function objectMeta(options: KubernetesObjectOptions, defaultName: string): ObjectMeta {
  const labels = options.labels === undefined ? {} : checkLabels('labels', options.labels);
  return {
    name: checkObjectName('name', options.name ?? defaultName),
    ...(options.namespace === undefined ? {} : { namespace: checkNamespace('namespace', options.namespace) }),
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
  // lineWidth 0: never fold long PromQL or regexes onto several lines.
  return `${header}${stringify(object, { lineWidth: 0 })}`;
}

/** Parses `k=v,k2=v2` (CLI flags for labels and selectors). */
export function parseLabelList(option: string, raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new OpsConfigError(`${option}=${JSON.stringify(raw)}: expected key=value pairs separated by commas, e.g. app.kubernetes.io/name=iris,tier=gpu`);
    labels[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return labels;
}
