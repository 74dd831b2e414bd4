/**
 * A `PrometheusRule` (monitoring.coreos.com/v1) carrying the groups of
 * `inferometer rules`: the same object, wrapped, so the rules in the cluster
 * and in a plain rule file never differ.
 * API: https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusRule
 */
import { prometheusRules, type RuleFile, type RulesOptions } from '../rules/rule-file.js';
import { objectMeta, OPTION_NAMES, type KubernetesObjectOptions, type ObjectMeta, type OptionNames } from './common.js';
import { DEFAULT_OBJECT_NAME, MONITORING_API_VERSION } from './monitors.js';

/** Options of {@link prometheusRule}: the rules' options and the object's metadata. */
export interface PrometheusRuleOptions extends RulesOptions, KubernetesObjectOptions {}

/** A generated PrometheusRule. */
export interface PrometheusRule {
  readonly apiVersion: typeof MONITORING_API_VERSION;
  readonly kind: 'PrometheusRule';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly groups: RuleFile['groups'] };
}

/**
 * The PrometheusRule whose `spec.groups` is `prometheusRules(options).groups`.
 *
 * @example
 * ```ts
 * const rule = prometheusRule({ name: 'iris-rules', labels: { release: 'kube-prometheus-stack' }, job: 'iris' });
 * ```
 */
export function prometheusRule(options: PrometheusRuleOptions = {}): PrometheusRule {
  return buildPrometheusRule(options);
}

/** {@link prometheusRule}, errors naming each metadata option by `names(option)` (the CLI passes its flag names). */
export function buildPrometheusRule(options: PrometheusRuleOptions, names: OptionNames = OPTION_NAMES): PrometheusRule {
  const { name, namespace, labels, ...rules } = options;
  const metadata = objectMeta({ ...(name === undefined ? {} : { name }), ...(namespace === undefined ? {} : { namespace }), ...(labels === undefined ? {} : { labels }) }, DEFAULT_OBJECT_NAME, names);
  return { apiVersion: MONITORING_API_VERSION, kind: 'PrometheusRule', metadata, spec: { groups: prometheusRules(rules).groups } };
}
