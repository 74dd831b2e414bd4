/**
 * The `error_type` attribute of a failed call: the class name of what was
 * thrown (`TypeError`, `ValidationError`), which is bounded by the code base,
 * unlike the message. Non-errors get their `typeof` (`string`, `undefined`).
 * Names are cut to 64 characters of `[A-Za-z0-9_.]` so that a minified or
 * generated class name cannot carry free text into a label.
 *
 * @internal
 */
export function errorType(thrown: unknown): string {
  if (thrown === null) return 'null';
  if (typeof thrown !== 'object' && typeof thrown !== 'function') return typeof thrown;
  let name: unknown;
  try {
    name = (thrown as { constructor?: { name?: unknown } }).constructor?.name;
  } catch {
    // A hostile getter or a revoked Proxy: say what we know.
    return 'object';
  }
  if (typeof name !== 'string' || name.length === 0) return 'object';
  return errorLabel(name);
}

/** An `error_type` label: at most 64 characters of `[A-Za-z0-9_.]`. @internal */
export function errorLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 64);
}
