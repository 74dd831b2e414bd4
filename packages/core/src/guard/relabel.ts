import { CATALOG_NAME_PREFIXES } from '../catalog.js';
import { guardConfig } from './config.js';

/** Options of {@link prometheusRelabelConfigs}. */
export interface RelabelOptions {
  /**
   * Attribute keys your instrumentation declares on top of the catalog's
   * (`attributes` and `attributeKeys` of your `@Instrument` options).
   *
   * @example
   * ```ts
   * declaredKeys: ['tier', 'region']
   * ```
   */
  declaredKeys?: readonly string[];
  /**
   * Also keep only Inferometer's series from this job, dropping anything
   * else the process exposes: every family named `ml_*` or `inferometer_*`
   * (the catalogs of all the Inferometer packages, drift, onnxruntime and
   * remote write included, use those prefixes), the `process_*` / `nodejs_*`
   * runtime metrics of `start()`, and `target_info`. Off by default.
   *
   * @example
   * ```ts
   * onlyCatalog: true
   * ```
   */
  onlyCatalog?: boolean;
}

/** The `keep` regex of `onlyCatalog`: Inferometer's name prefixes, the runtime metrics, target_info. */
const ONLY_INFEROMETER_REGEX = `(${CATALOG_NAME_PREFIXES.join('|')})_.+|(process|nodejs)_.+|target_info`;

/**
 * The `metric_relabel_configs` block to paste under the model server's
 * scrape job in `prometheus.yml`: defence in depth on the server side, in
 * case an exporter that is not guarded (or an old version) exposes an
 * unbounded label.
 * - `labeldrop` of every label whose name matches the unbounded-key
 *   patterns (user/request/session/trace ids, email, ip, url, ...), unless
 *   it is one of `declaredKeys`;
 * - with `onlyCatalog`, a `keep` of the catalog's metric names.
 * Relabelling: https://prometheus.io/docs/prometheus/latest/configuration/configuration/#metric_relabel_configs
 *
 * @example
 * ```ts
 * console.log(prometheusRelabelConfigs({ declaredKeys: ['tier'] }));
 * ```
 */
export function prometheusRelabelConfigs(options: RelabelOptions = {}): string {
  const { regex, kept } = unboundedLabelRegex(options.declaredKeys);
  const lines = ['metric_relabel_configs:'];
  lines.push('  # Drop labels that are unbounded by nature (ids, emails, addresses, URLs, timestamps, free text).');
  if (kept.length > 0) lines.push(`  # Not dropped, declared on purpose: ${kept.join('; ')}.`);
  lines.push('  - action: labeldrop', `    regex: '${escapeYaml(regex)}'`);
  if (options.onlyCatalog === true) {
    // By prefix, not by name: the satellite packages own their names, and
    // core cannot list them without depending on every one of them.
    lines.push(
      '  # Keep only the Inferometer families, the runtime metrics and target_info from this job.',
      '  - source_labels: [__name__]',
      '    action: keep',
      `    regex: '${ONLY_INFEROMETER_REGEX}'`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The RE2 regex of a `labeldrop` rule for every label name the
 * unbounded-key patterns match (as Prometheus reads it: anchored, `(?i:...)`
 * for case-insensitive patterns), leaving out patterns that match a key
 * declared on purpose (RE2 has no negative lookahead to make an exception);
 * `kept` says which, and why.
 *
 * @example
 * ```ts
 * const { regex } = unboundedLabelRegex(['account_id']);
 * ```
 */
export function unboundedLabelRegex(declaredKeys: readonly string[] = []): { regex: string; kept: string[] } {
  const kept: string[] = [];
  const sources: string[] = [];
  for (const pattern of guardConfig().unboundedKeyPatterns) {
    const opted = declaredKeys.filter((key) => pattern.test(key));
    if (opted.length > 0) {
      kept.push(`${opted.join(', ')} (${String(pattern)})`);
      continue;
    }
    const body = pattern.source.replace(/^\^/, '').replace(/\$$/, '');
    sources.push(pattern.flags.includes('i') ? `(?i:${body})` : body);
  }
  return { regex: sources.join('|'), kept };
}

function escapeYaml(text: string): string {
  return text.replace(/'/g, "''");
}
