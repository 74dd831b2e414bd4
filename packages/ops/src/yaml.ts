/**
 * The one YAML writer of the ops kit: every generated file (Kubernetes
 * objects, Prometheus rule files, the Alertmanager configuration, relabel
 * snippets) goes through {@link toYaml}.
 *
 * Why not plain `stringify`: the `yaml` package writes YAML 1.2, where only
 * `true`, `null`, `1e3`, `0x1F`... are typed. The readers on the other side are
 * older. kubectl (sigs.k8s.io/yaml on go-yaml v2) resolves plain scalars by
 * YAML 1.1 rules, so `release: on` arrives as `true`, `tier: 1_000` as 1000,
 * `namespace: no` as `false`, `sha: 2001-12-14` as a timestamp; the API server
 * then refuses the object ("ReadString: expects \" or n, but found t",
 * kubernetes/kubernetes#23251), or a selector quietly matches nothing. kubectl
 * has no YAML 1.2 reader (kubernetes/kubernetes#34146); cdk8s hit the same
 * with this same library (cdk8s-team/cdk8s-core#1230). YAML 1.1 types:
 * https://yaml.org/type/bool.html, /null.html, /int.html, /float.html,
 * /timestamp.html, /merge.html, /value.html.
 *
 * The rule: a string is written plain only when it is plain-safe (see
 * {@link isPlainSafe}); every other string is double-quoted. Quoted and block
 * scalars are strings under every schema, so what a reader gets back is the
 * string we meant, whichever YAML version it speaks.
 */
import { Document, visit, type Scalar } from 'yaml';

// Every character that any implicit type of YAML 1.1, YAML 1.2 (core and JSON
// schemas) or go-yaml (strconv.ParseInt/ParseFloat, which also take `0o17`,
// `0x1p-2`, `+Inf`) can match: letters, digits, space and tab (timestamps
// such as `2001-12-14 21:59:43.10 -5`), `+ - . _ :` (signs, decimals,
// underscores, sexagesimal `1:20`), `~` (null), `=` (value) and `<` (merge
// key `<<`). A string with any other character is no number, boolean, null
// or timestamp under any of them.
const TYPEABLE_ONLY = /^[A-Za-z0-9 \t+\-._:~=<]*$/;
// Among strings of those characters, the ones that start with a letter or
// `_` can only be typed as a word: YAML 1.1 booleans and nulls (y, n, yes,
// no, on, off, true, false, null, in three casings). Numbers and timestamps
// start with a digit, a sign or `.` (an underscore only ever follows a
// digit). Compared case-insensitively, with nan/inf added, to stay clear of
// readers more liberal than the specification.
const WORD_FIRST = /^[A-Za-z_][A-Za-z0-9_.:+~=<-]*(?: [A-Za-z0-9_.:+~=<-]+)*$/;
const TYPED_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', 'nan', 'inf', 'infinity']);
// One letter and then only number characters (`E0`, `e+5`, `x1F`, `o17`): no
// specification types these, but readers with liberal number patterns do (the
// `yaml` package's YAML 1.1 float reads `E0` as NaN; found by the fast-check
// test), so they are quoted too.
const LETTER_THEN_NUMBER = /^[A-Za-z_][-+0-9_.:]+$/;
// Prometheus durations (`5m`, `1h30m`, `500ms`): digits and unit letters, which
// no implicit type contains (`e`, `x`, `b`, `o`, `t`, `z` are not units).
const DURATION = /^(?:[0-9]+(?:ms|[smhdwy]))+$/;

/**
 * Whether `value` reads back as this same string when written as a plain
 * (unquoted) scalar, under YAML 1.1 and 1.2 alike. Conservative: it may call
 * a harmless string unsafe (then it is merely quoted), never the reverse.
 *
 * @example
 * ```ts
 * isPlainSafe('iris-server'); // true
 * isPlainSafe('sum(rate(x[5m]))'); // true: no implicit type contains "("
 * isPlainSafe('on'); // false: a YAML 1.1 boolean
 * isPlainSafe('1_000'); // false: a YAML 1.1 integer
 * ```
 */
export function isPlainSafe(value: string): boolean {
  if (value === '') return false;
  if (!TYPEABLE_ONLY.test(value)) return true;
  if (WORD_FIRST.test(value)) return !TYPED_WORDS.has(value.toLowerCase()) && !LETTER_THEN_NUMBER.test(value);
  return DURATION.test(value);
}

/**
 * `value` as a YAML document: the `yaml` package's layout (block style, no
 * line folding, so long PromQL and regexes stay on one line) with every
 * string that is not {@link isPlainSafe} double-quoted, map keys included.
 *
 * @example
 * ```ts
 * toYaml({ metadata: { labels: { release: 'on', app: 'iris' } } });
 * // metadata:
 * //   labels:
 * //     release: "on"
 * //     app: iris
 * ```
 */
export function toYaml(value: unknown): string {
  // Repeated objects are written out again rather than as anchors and
  // aliases: the files are read by people and by kubectl, and `*a1` helps
  // neither.
  const doc = new Document(value, { aliasDuplicateObjects: false });
  // Map keys are visited as Scalars too (label keys such as `on` or `y` are
  // valid Kubernetes label keys and YAML 1.1 booleans).
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value === 'string' && !isPlainSafe(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0 });
}
