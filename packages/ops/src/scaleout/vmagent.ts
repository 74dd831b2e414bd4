/**
 * Sharding flags for `vmagent`: one `-remoteWrite.url` per storage, each with
 * a `-remoteWrite.urlRelabelConfig` that keeps only the series whose hash of
 * the shard labels, modulo the shard count, is that storage's index. Every
 * series then lands on exactly one storage, and always the same one.
 *
 * Written as relabel files rather than `-remoteWrite.shardByURL` because that
 * flag arrived in VictoriaMetrics 1.82 and Debian ships vmagent 1.79; the
 * relabel files work on both. Relabelling reference:
 * https://docs.victoriametrics.com/vmagent.html#relabeling
 */
import { stringify } from 'yaml';
import { checkUrl, OpsConfigError } from '../options.js';

/** Label names hashed by default: a metric of one instance stays on one shard. */
export const DEFAULT_SHARD_LABELS: readonly string[] = Object.freeze(['__name__', 'job', 'instance']);
/** The temporary label holding the hash; dropped before the series is sent. */
export const SHARD_HASH_LABEL = '__tmp_inferometer_shard';
/** Most shards: far above any sensible storage count, small enough to read. */
export const MAX_SHARDS = 256;

/** Options of {@link vmagentSharding}. */
export interface VmagentShardingOptions {
  /**
   * The remote write URLs of the storages, one per shard, in shard order
   * (shard `i` gets the series whose hash modulo the count is `i`). At least 2.
   * @example ['http://vm-0:8428/api/v1/write', 'http://vm-1:8428/api/v1/write']
   */
  readonly shardUrls: readonly string[];
  /**
   * Labels whose values are hashed. The default (`__name__`, `job`,
   * `instance`) keeps every series of one metric of one instance on one
   * shard, so `rate()` or `histogram_quantile()` per instance needs one
   * shard; add labels (e.g. `status`) to spread one metric finer.
   * @example ['__name__', 'job', 'instance', 'status']
   */
  readonly shardLabels?: readonly string[];
  /**
   * Directory the relabel files will be in, as vmagent should read it.
   * Default `.` (vmagent's working directory).
   * @example '/etc/vmagent'
   */
  readonly relabelDir?: string;
}

/** One vmagent relabel rule (the fields this generator writes). */
export interface VmagentRelabelRule {
  readonly action: 'hashmod' | 'keep' | 'labeldrop';
  readonly source_labels?: readonly string[];
  readonly target_label?: string;
  readonly modulus?: number;
  readonly regex?: string;
}

/** What to deploy: the relabel files and the vmagent flags that name them. */
export interface VmagentSharding {
  /** File name (inside `relabelDir`) to its content, in shard order. */
  readonly files: readonly { readonly name: string; readonly content: string }[];
  /** vmagent flags, one `-remoteWrite.url` / `-remoteWrite.urlRelabelConfig` pair per shard. */
  readonly args: readonly string[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The relabel rules of shard `index` of `count`. */
export function shardRelabelRules(index: number, count: number, shardLabels: readonly string[] = DEFAULT_SHARD_LABELS): VmagentRelabelRule[] {
  return [
    { action: 'hashmod', source_labels: [...shardLabels], target_label: SHARD_HASH_LABEL, modulus: count },
    { action: 'keep', source_labels: [SHARD_HASH_LABEL], regex: String(index) },
    { action: 'labeldrop', regex: SHARD_HASH_LABEL },
  ];
}

/** The relabel files and flags that shard across `shardUrls`. */
export function vmagentSharding(options: VmagentShardingOptions): VmagentSharding {
  const urls = options.shardUrls;
  if (!Array.isArray(urls) || urls.length < 2 || urls.length > MAX_SHARDS) {
    throw new OpsConfigError('shardUrls', `shardUrls: expected from 2 to ${MAX_SHARDS} remote write URLs, one per storage, got ${Array.isArray(urls) ? urls.length : JSON.stringify(urls)}`, [`from 2 to ${MAX_SHARDS} remote write URLs, one per storage`]);
  }
  urls.forEach((url, i) => checkUrl(`shardUrls[${i}]`, url));
  if (new Set(urls).size !== urls.length) throw new OpsConfigError('shardUrls', 'shardUrls: a URL is listed twice; expected one URL per storage (two shards on one storage would store that storage\'s share twice)', ['distinct URLs, one per storage']);
  const labels = options.shardLabels ?? DEFAULT_SHARD_LABELS;
  if (!Array.isArray(labels) || labels.length === 0) throw new OpsConfigError('shardLabels', `shardLabels=${JSON.stringify(labels)}: expected at least one label name, e.g. __name__,job,instance`, ['at least one label name']);
  for (const label of labels) {
    if (typeof label !== 'string' || !LABEL_NAME.test(label)) throw new OpsConfigError('shardLabels', `shardLabels: ${JSON.stringify(label)} is not a label name; expected names such as __name__, job, instance`, ['label names such as __name__, job, instance']);
  }
  const dir = options.relabelDir ?? '.';
  if (typeof dir !== 'string' || dir === '') throw new OpsConfigError('relabelDir', `relabelDir=${JSON.stringify(dir)}: expected a directory, e.g. /etc/vmagent`, ['a directory']);
  const files = urls.map((url, i) => ({
    name: `shard-${i}.yml`,
    content: `# Generated by \`inferometer vmagent\` (@inferometer/ops): shard ${i} of ${urls.length}, for ${url}.\n` + stringify(shardRelabelRules(i, urls.length, labels), { lineWidth: 0 }),
  }));
  const base = dir.endsWith('/') ? dir : `${dir}/`;
  return { files, args: urls.flatMap((url, i) => [`-remoteWrite.url=${url}`, `-remoteWrite.urlRelabelConfig=${base}${files[i]!.name}`]) };
}

/** A POSIX shell word: quoted unless plainly safe. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line for {@link vmagentSharding}: one flag per line, ready to paste. */
export function renderVmagentCommand(sharding: VmagentSharding): string {
  const shards = sharding.args.length / 2;
  return [
    `# Generated by \`inferometer vmagent\` (@inferometer/ops): ${shards} shards, each series on exactly one.`,
    '# Add your own flags (-httpListenAddr, -remoteWrite.tmpDataPath, scrape config, ...).',
    `vmagent \\`,
    ...sharding.args.map((arg, i) => `  ${shellWord(arg)}${i === sharding.args.length - 1 ? '' : ' \\'}`),
    '',
  ].join('\n');
}
