/**
 * Kubernetes' own syntax rules for the names and labels the generators write,
 * ported from kubernetes/apimachinery (commit eed236c, 2026-07):
 * - pkg/util/validation/validation.go: IsValidPortName, IsDNS1123Label,
 *   IsDNS1123Subdomain;
 * - pkg/api/validate/content/kube.go: IsLabelKey (formerly IsQualifiedName)
 *   and IsLabelValue, which validation.go now re-exports;
 * - pkg/api/validate/content/dns.go: the DNS-1123 formats.
 * https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go
 *
 * Each `*Problems` function returns what apimachinery would complain about,
 * in its order (empty when the API server accepts the value); the `check*`
 * functions in common.ts turn them into an OpsConfigError naming the option
 * or CLI flag. Lengths are in bytes, as Go's `len` counts them.
 */

// dns.go: dns1123LabelFmt, dns1123SubdomainFmt.
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*$`);
/** DNS1123LabelMaxLength. */
export const DNS1123_LABEL_MAX_LENGTH = 63;
/** DNS1123SubdomainMaxLength. */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
// kube.go: labelKeyFmt = (labelKeyCharFmt labelKeyExtCharFmt*)? labelKeyCharFmt; labelValueFmt = (labelKeyFmt)?
const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY_NAME = new RegExp(`^${LABEL_KEY_FMT}$`);
const LABEL_VALUE = new RegExp(`^(${LABEL_KEY_FMT})?$`);
/** labelKeyMaxLength (of the name part) and LabelValueMaxLength. */
export const LABEL_MAX_LENGTH = 63;
// validation.go: portNameCharsetRegex, portNameOneLetterRegexp; 15 is the IANA
// service name limit (RFC 6335 section 5.1).
const PORT_NAME_CHARSET = /^[-a-z0-9]+$/;
const PORT_NAME_ONE_LETTER = /[a-z]/;
/** Longest port name (IsValidPortName). */
export const PORT_NAME_MAX_LENGTH = 15;

const bytes = (value: string): number => new TextEncoder().encode(value).length;
const maxLen = (length: number): string => `must be no more than ${length} characters`;

/**
 * IsValidPortName: an IANA service name (RFC 6335), lower case only.
 *
 * @example
 * ```ts
 * portNameProblems('http-metrics'); // []
 * portNameProblems('a--b'); // ['must not contain consecutive hyphens']
 * ```
 */
export function portNameProblems(port: string): string[] {
  const problems: string[] = [];
  if (bytes(port) > PORT_NAME_MAX_LENGTH) problems.push(maxLen(PORT_NAME_MAX_LENGTH));
  if (!PORT_NAME_CHARSET.test(port)) problems.push('must contain only lower-case letters (a-z), digits (0-9) and hyphens (-)');
  if (!PORT_NAME_ONE_LETTER.test(port)) problems.push('must contain at least one letter (a-z)');
  if (port.includes('--')) problems.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-')) problems.push('must not begin or end with a hyphen');
  return problems;
}

/**
 * IsDNS1123Label: namespaces (and Service names).
 *
 * @example
 * ```ts
 * dns1123LabelProblems('models'); // []
 * dns1123LabelProblems('a.b'); // ['must not contain dots']
 * ```
 */
export function dns1123LabelProblems(value: string): string[] {
  const problems: string[] = [];
  if (bytes(value) > DNS1123_LABEL_MAX_LENGTH) problems.push(maxLen(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL.test(value)) {
    // Same shortcut as apimachinery: a valid subdomain that is not a valid label has dots.
    problems.push(DNS1123_SUBDOMAIN.test(value) ? 'must not contain dots' : 'must consist of lower-case letters, digits and "-", and start and end with a letter or digit');
  }
  return problems;
}

/**
 * IsDNS1123Subdomain: object names of most kinds, label key prefixes.
 *
 * @example
 * ```ts
 * dns1123SubdomainProblems('iris-server'); // []
 * ```
 */
export function dns1123SubdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (bytes(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) problems.push(maxLen(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN.test(value)) problems.push('must consist of lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit');
  return problems;
}

/**
 * IsLabelKey: `[prefix/]name`, the prefix a DNS-1123 subdomain.
 *
 * @example
 * ```ts
 * labelKeyProblems('app.kubernetes.io/name'); // []
 * labelKeyProblems('/name'); // ['prefix part must be non-empty']
 * ```
 */
export function labelKeyProblems(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) return ['must be a name with an optional DNS subdomain prefix and a single "/", e.g. example.com/my-name'];
  const problems: string[] = [];
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === '') problems.push('prefix part must be non-empty');
    else problems.push(...dns1123SubdomainProblems(prefix).map((p) => `prefix part ${p}`));
  }
  if (name === '') problems.push('name part must be non-empty');
  else if (bytes(name) > LABEL_MAX_LENGTH) problems.push(`name part ${maxLen(LABEL_MAX_LENGTH)}`);
  if (!LABEL_KEY_NAME.test(name)) problems.push('name part must consist of letters, digits, "-", "_" and ".", and start and end with a letter or digit');
  return problems;
}

/**
 * IsLabelValue: empty, or letters, digits, `-`, `_`, `.` starting and ending
 * with a letter or digit; at most 63.
 *
 * @example
 * ```ts
 * labelValueProblems('kube-prometheus-stack'); // []
 * labelValueProblems('has space').length; // 1
 * ```
 */
export function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (bytes(value) > LABEL_MAX_LENGTH) problems.push(maxLen(LABEL_MAX_LENGTH));
  if (!LABEL_VALUE.test(value)) problems.push('must be empty or consist of letters, digits, "-", "_" and ".", and start and end with a letter or digit');
  return problems;
}
