import { CATALOG } from '../catalog.js';
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
   * Also keep only the catalog's series (plus `target_info`) from this job,
   * dropping anything else the process exposes. Off by default.
   *
   * @example
   * ```ts
   * onlyCatalog: true
   * ```
   */
  onlyCatalog?: boolean;
}

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
  const declared = [...(options.declaredKeys ?? [])];
  const lines = ['metric_relabel_configs:'];
  const kept: string[] = [];
  const sources: string[] = [];
  for (const pattern of guardConfig().unboundedKeyPatterns) {
    // A pattern that matches a key declared on purpose (allowUnboundedKeys)
    // is left out: RE2 has no negative lookahead to make an exception.
    const opted = declared.filter((key) => pattern.test(key));
    if (opted.length > 0) {
      kept.push(`${opted.join(', ')} (${String(pattern)})`);
      continue;
    }
    // Prometheus regexes are RE2 and anchored at both ends: drop ^ and $,
    // and carry the JavaScript i flag as (?i:...).
    const body = pattern.source.replace(/^\^/, '').replace(/\$$/, '');
    sources.push(pattern.flags.includes('i') ? `(?i:${body})` : body);
  }
  lines.push('  # Drop labels that are unbounded by nature (ids, emails, addresses, URLs, timestamps, free text).');
  if (kept.length > 0) lines.push(`  # Not dropped, declared on purpose: ${kept.join('; ')}.`);
  lines.push('  - action: labeldrop', `    regex: '${escapeYaml(sources.join('|'))}'`);
  if (options.onlyCatalog === true) {
    const names = CATALOG.flatMap((metric) =>
      metric.kind === 'histogram' ? [`${metric.prometheusName}_bucket`, `${metric.prometheusName}_sum`, `${metric.prometheusName}_count`] : [metric.prometheusName],
    );
    lines.push(
      '  # Keep only the Inferometer catalog (and target_info) from this job.',
      '  - source_labels: [__name__]',
      '    action: keep',
      `    regex: '${[...names, 'target_info'].join('|')}'`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function escapeYaml(text: string): string {
  return text.replace(/'/g, "''");
}
