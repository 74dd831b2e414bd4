/**
 * What "unbounded" looks like, for keys (refused at configuration) and for
 * values (replaced at run time). The lists are documented in the README and
 * extensible through `configureGuards({ unboundedKeyPatterns })` or
 * `INFEROMETER_UNBOUNDED_KEY_PATTERNS`.
 */

/**
 * Attribute keys that are unbounded by nature: one value per user, request,
 * trace or moment. Matched case-insensitively against the whole key, with
 * `_`, `-` or `.` between words (`user_id`, `userId`, `user.id`).
 */
export const DEFAULT_UNBOUNDED_KEY_PATTERNS: readonly RegExp[] = [
  /^(user|customer|client|account|member|tenant_user|session|request|req|trace|span|transaction|correlation|message|event|order|device|visitor)[_.-]?(id|uuid|key)$/i,
  /^(user|customer|account)$/i,
  /^(e[_.-]?mail|email[_.-]?address|phone|phone[_.-]?number)$/i,
  /^(ip|ip[_.-]?addr(ess)?|client[_.-]?ip|remote[_.-]?addr(ess)?|x[_.-]?forwarded[_.-]?for)$/i,
  /^(url|uri|full[_.-]?url|http[_.-]?url|query|query[_.-]?string|path[_.-]?with[_.-]?query)$/i,
  /^(uuid|guid|id|nonce|token|api[_.-]?key|hash)$/i,
  /^(timestamp|ts|time|datetime|date[_.-]?time|created[_.-]?at|updated[_.-]?at)$/i,
  /^(prompt|input[_.-]?text|text|message|comment|description|free[_.-]?text)$/i,
];

/** Why a value or key was refused: the `reason` label of `inferometer_attribute_rejections_total`. */
export const REJECTION_REASONS = {
  /** A key the metric does not declare: dropped from the record. */
  undeclared: 'undeclared',
  /** A value shaped like an identifier (UUID, long hex or digit run, email, IP, URL with a query). */
  identifier: 'identifier',
  /** A value longer than the length limit. */
  tooLong: 'too_long',
  /** A value past the attribute's cap on distinct values: collapsed into the overflow value. */
  valueOverflow: 'value_overflow',
  /** A new label set past the metric's series cap: recorded in the overflow series. */
  seriesOverflow: 'series_overflow',
  /** A value that is not a string, number or boolean. */
  invalidType: 'invalid_type',
} as const;

/** Replaces a value shaped like an identifier. */
export const IDENTIFIER_MARKER = '_ID_';
/** Replaces a value longer than the length limit. */
export const TOO_LONG_MARKER = '_TOO_LONG_';
/** The overflow value: values past an attribute's cap, and every user attribute of a metric's overflow series. */
export const OVERFLOW_VALUE = '_OTHER';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const LONG_HEX = /[0-9a-f]{16,}/i;
const LONG_DIGITS = /\d{6,}/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const IPV4 = /^(\d{1,3}\.){3}\d{1,3}(:\d+)?$/;
const IPV6 = /^\[?([0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\]?$/i;
const URL_WITH_QUERY = /^[a-z][a-z0-9+.-]*:\/\/[^?#\s]*[?#]/i;
const PATH_WITH_QUERY = /^\/[^?\s]*\?/;
/** ULIDs and base64-ish tokens: 20+ characters of mixed letters and digits without separators. */
const OPAQUE_TOKEN = /^(?=[^\s]*\d)(?=[^\s]*[a-zA-Z])[A-Za-z0-9+/=_-]{20,}$/;

/**
 * Whether a value is shaped like an identifier: a UUID, a hex run of 16+
 * characters, a digit run of 6+, an email, an IPv4/IPv6 address, a URL (or
 * path) with a query string, or an opaque token of 20+ mixed characters.
 * Bounded labels (`gold`, `eu-west-1`, `v2`, `resnet50`) do not match.
 */
export function looksLikeIdentifier(value: string): boolean {
  return (
    UUID.test(value) ||
    LONG_HEX.test(value) ||
    LONG_DIGITS.test(value) ||
    EMAIL.test(value) ||
    IPV4.test(value) ||
    (value.includes(':') && IPV6.test(value)) ||
    URL_WITH_QUERY.test(value) ||
    PATH_WITH_QUERY.test(value) ||
    OPAQUE_TOKEN.test(value)
  );
}
