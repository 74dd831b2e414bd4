/**
 * One implementation of the checks every push configuration needs: URLs,
 * HTTP header names and values, credentials, and the `key=value,key2=value2`
 * lists of `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_RESOURCE_ATTRIBUTES`. Used
 * by this package's options and by `@inferometer/node`'s configuration
 * (through `@inferometer/exporter-remote-write/internal`).
 *
 * Each check returns `undefined` when the value is fine, or a
 * {@link ValueProblem}: callers throw their own typed error naming the
 * variable or option, with the problem and what is accepted.
 */

/** Why a value is refused; `code` is for code to read, `problem` and `accepted` for people. */
export interface ValueProblem {
  readonly code:
    | 'not_string'
    | 'empty'
    | 'control_character'
    | 'not_url'
    | 'url_scheme'
    | 'url_credentials'
    | 'header_name'
    | 'header_value'
    | 'list_entry'
    | 'percent_encoding'
    | 'too_long'
    | 'credential';
  /** What is wrong, without the value (it may be a secret). */
  readonly problem: string;
  /** What would be accepted. */
  readonly accepted: string;
}

/** What an http(s) URL accepts, for messages. */
export const HTTP_URL_ACCEPTED = 'an absolute http:// or https:// URL without credentials or control characters, e.g. http://localhost:4318';

/**
 * Header names are tokens: RFC 9110 section 5.1 (field-name = token) and
 * section 5.6.2 (tchar).
 * https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2
 */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What a header name accepts, for messages. */
export const HEADER_NAME_ACCEPTED = "an HTTP token (letters, digits and !#$%&'*+-.^_`|~), e.g. x-scope-orgid";

/**
 * Field values are visible ASCII, obs-text, spaces and tabs: RFC 9110
 * section 5.5 (field-vchar = VCHAR / obs-text). Node's `http` and `fetch`
 * refuse anything else on every request, so a bad value must fail at start,
 * not on each push.
 * https://www.rfc-editor.org/rfc/rfc9110#section-5.5
 */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** What a header value accepts, for messages. */
export const HEADER_VALUE_ACCEPTED = 'visible ASCII characters, spaces and tabs (RFC 9110 section 5.5: no control characters such as line breaks)';

/** C0 controls and DEL. */
const CONTROL = /[\x00-\x1f\x7f]/;

/** Whether a string holds a control character (C0 or DEL). */
export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

/** Checks a text value that is not sent as a header (a service name, a host): no control characters. */
export function textProblem(value: unknown, accepted: string): ValueProblem | undefined {
  if (typeof value !== 'string') return { code: 'not_string', problem: 'is not a string', accepted };
  if (hasControlCharacter(value)) return { code: 'control_character', problem: 'contains a control character', accepted };
  return undefined;
}

/** Checks an HTTP header name. */
export function headerNameProblem(name: unknown): ValueProblem | undefined {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    return { code: 'header_name', problem: `${JSON.stringify(clip(String(name)))} is not a valid HTTP header name`, accepted: HEADER_NAME_ACCEPTED };
  }
  return undefined;
}

/** Checks an HTTP header value (an API key, a bearer token, a tenant id). */
export function headerValueProblem(value: unknown): ValueProblem | undefined {
  if (typeof value !== 'string') return { code: 'not_string', problem: 'is not a string', accepted: HEADER_VALUE_ACCEPTED };
  if (value.length > 0 && /[^\t\x20-\x7e\x80-\xff]/.test(value)) {
    const code = value.charCodeAt(value.search(/[^\t\x20-\x7e\x80-\xff]/));
    return {
      code: 'header_value',
      problem: code < 0x20 || code === 0x7f ? `contains a control character (U+${code.toString(16).padStart(4, '0').toUpperCase()})` : 'contains a character outside ISO-8859-1',
      accepted: HEADER_VALUE_ACCEPTED,
    };
  }
  return FIELD_VALUE.test(value) ? undefined : { code: 'header_value', problem: 'is not a valid header value', accepted: HEADER_VALUE_ACCEPTED };
}

/** Checks a set of headers given in code: names are tokens, values field values. `name` of the offending header is returned with the problem. */
export function headersProblem(headers: unknown): (ValueProblem & { readonly header?: string }) | undefined {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    return { code: 'not_string', problem: 'is not an object of header names to values', accepted: "an object such as { 'x-scope-orgid': 'ml' }" };
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    const problem = headerNameProblem(name) ?? headerValueProblem(value);
    if (problem !== undefined) return { ...problem, header: name, problem: problem.code === 'header_name' ? problem.problem : `the value of header ${name} ${problem.problem}` };
  }
  return undefined;
}

/**
 * Checks an http(s) URL; on success returns it parsed. Control characters
 * are refused outright: the WHATWG URL parser silently strips tabs and line
 * breaks, so `http://host/\nw` would quietly become another URL.
 */
export function checkHttpUrl(raw: unknown, accepted: string = HTTP_URL_ACCEPTED): { readonly url: URL } | { readonly problem: ValueProblem } {
  if (typeof raw !== 'string') return { problem: { code: 'not_string', problem: 'is not a string', accepted } };
  const trimmed = raw.trim();
  if (trimmed === '') return { problem: { code: 'empty', problem: 'is empty', accepted } };
  if (hasControlCharacter(trimmed)) return { problem: { code: 'control_character', problem: 'contains a control character', accepted } };
  if (trimmed.length > MAX_URL_LENGTH) return { problem: { code: 'too_long', problem: `is longer than ${MAX_URL_LENGTH} characters`, accepted } };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { problem: { code: 'not_url', problem: 'is not a URL', accepted } };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: { code: 'url_scheme', problem: 'is not an http:// or https:// URL', accepted } };
  if (url.username !== '' || url.password !== '') {
    // fetch refuses credentials in the URL (https://fetch.spec.whatwg.org/#dom-request: "includes credentials").
    return { problem: { code: 'url_credentials', problem: 'carries credentials', accepted } };
  }
  return { url };
}

/** Longest URL accepted (a configuration URL longer than this is a mistake, not an endpoint). */
export const MAX_URL_LENGTH = 8192;

/**
 * Checks basic-auth credentials: RFC 7617 section 2 says the user-id cannot
 * contain a colon and neither part may contain control characters.
 * https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function basicAuthProblem(part: 'username' | 'password', value: unknown): ValueProblem | undefined {
  const accepted = part === 'username' ? 'a non-empty user-id without colons or control characters (RFC 7617 section 2)' : 'a non-empty password without control characters (RFC 7617 section 2)';
  if (typeof value !== 'string') return { code: 'not_string', problem: 'is not a string', accepted };
  if (value === '') return { code: 'empty', problem: 'is empty', accepted };
  if (hasControlCharacter(value)) return { code: 'credential', problem: 'contains a control character', accepted };
  if (part === 'username' && value.includes(':')) return { code: 'credential', problem: 'contains a colon', accepted };
  return undefined;
}

/** One `key=value` entry of a list, percent-decoded. */
export interface ListEntry {
  readonly key: string;
  readonly value: string;
}

/**
 * Parses a `key=value,key2=value2` list with percent-encoded values, the
 * W3C-Baggage-like form of `OTEL_RESOURCE_ATTRIBUTES` and
 * `OTEL_EXPORTER_OTLP_HEADERS`
 * (https://opentelemetry.io/docs/specs/otel/resource/sdk/#specifying-resource-information-via-an-environment-variable,
 * https://opentelemetry.io/docs/specs/otel/protocol/exporter/#specifying-headers-via-environment-variables).
 * Blank entries are skipped. `strictEquals` refuses a raw `=` in a value
 * (resource attributes: it must be percent-encoded, as the JS SDK's own
 * parser demands); header lists take everything after the first `=`
 * (base64 padding is common there).
 */
export function parseKeyValueList(raw: string, accepted: string, strictEquals: boolean): { readonly entries: ListEntry[] } | { readonly problem: ValueProblem } {
  const entries: ListEntry[] = [];
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    const rawKey = at < 0 ? '' : entry.slice(0, at).trim();
    const rawValue = at < 0 ? '' : entry.slice(at + 1).trim();
    // The entry may hold a secret: quote only its key.
    if (at < 0) return { problem: { code: 'list_entry', problem: `entry ${entries.length + 1} has no "="`, accepted } };
    if (rawKey === '') return { problem: { code: 'list_entry', problem: `entry ${entries.length + 1} has an empty key`, accepted } };
    if (strictEquals && rawValue.includes('=')) {
      return { problem: { code: 'list_entry', problem: `the value of ${JSON.stringify(clip(rawKey))} holds a raw "=" (write it %3D)`, accepted } };
    }
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue);
    } catch {
      return { problem: { code: 'percent_encoding', problem: `the entry ${JSON.stringify(clip(rawKey))} is not valid percent-encoding (write % as %25)`, accepted } };
    }
    if (hasControlCharacter(key) || hasControlCharacter(value)) {
      return { problem: { code: 'control_character', problem: `the entry ${JSON.stringify(clip(key))} contains a control character`, accepted } };
    }
    entries.push({ key, value });
  }
  return { entries };
}

/** A value cut for a message: a 70,000-character mistake should not become a 70,000-character error. */
export function clip(value: string, max = 80): string {
  return value.length <= max ? value : `${value.slice(0, max)}…(${value.length} characters)`;
}
