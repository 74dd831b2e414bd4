import { headerNameProblem, headersProblem, headerValueProblem, parseKeyValueList } from '@inferometer/exporter-remote-write/internal';
import { invalid, option, readString, variable, type Environment } from './env.js';

/** What a header list variable accepts, for messages. */
export const HEADER_LIST_ACCEPTED =
  'a comma list of header=value pairs with percent-encoded values, e.g. api-key=abc123,x-team=ml (header names are HTTP tokens, values visible ASCII: RFC 9110 section 5.5)';

/**
 * A `k=v,k2=v2` header list with percent-encoded values, as the
 * specification defines `OTEL_EXPORTER_OTLP_HEADERS`
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/#specifying-headers-via-environment-variables);
 * also used for `INFEROMETER_REMOTE_WRITE_HEADERS`. A malformed entry fails
 * at start naming the variable (the JS OTLP exporter itself skips it with a
 * warning). Values are never quoted in the error: they are often keys.
 */
export function readHeaderList(env: Environment, name: string): Record<string, string> | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  const parsed = parseKeyValueList(raw, HEADER_LIST_ACCEPTED, false);
  if ('problem' in parsed) throw invalid(variable(name), raw, parsed.problem.problem, HEADER_LIST_ACCEPTED, { secret: true });
  const headers: Record<string, string> = {};
  for (const { key, value } of parsed.entries) {
    const problem = headerNameProblem(key) ?? headerValueProblem(value);
    if (problem !== undefined) {
      throw invalid(variable(name), raw, problem.code === 'header_name' ? problem.problem : `the value of ${key} ${problem.problem}`, HEADER_LIST_ACCEPTED, { secret: true });
    }
    headers[key] = value;
  }
  return headers;
}

/** Checks headers given in code the same way; `path` is the option's path (`otlp.headers`). */
export function checkHeaders(path: string, headers: unknown): Record<string, string> {
  const problem = headersProblem(headers);
  if (problem !== undefined) throw invalid(option(problem.header === undefined ? path : `${path}.${problem.header}`), undefined, problem.problem, problem.accepted);
  return { ...(headers as Record<string, string>) };
}
