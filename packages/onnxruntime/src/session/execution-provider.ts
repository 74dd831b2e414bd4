import type { InferenceSession } from 'onnxruntime-node';

/**
 * The execution provider to report: the first one requested (a name, or a
 * `{ name }` config), lower-cased, else `cpu` (onnxruntime's default).
 * onnxruntime-node does not say which provider a session ended up on, so
 * this is the request, not an observation.
 *
 * @internal
 */
export function requestedProvider(options: InferenceSession.SessionOptions | undefined): string {
  const first = options?.executionProviders?.[0];
  const name = typeof first === 'string' ? first : first?.name;
  return typeof name === 'string' && name.length > 0 ? name.toLowerCase() : 'cpu';
}
