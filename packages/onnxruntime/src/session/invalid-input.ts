import type { InferenceSession } from 'onnxruntime-node';
import { ERROR_TYPE_INVALID_INPUT } from '@inferometer/core/catalog';

/** The `error_type` of a call whose feeds do not fit the model: the caller's mistake, which the model error ratio leaves out (core's {@link ERROR_TYPE_INVALID_INPUT}). */
export const INVALID_INPUT = ERROR_TYPE_INVALID_INPUT;

/**
 * onnxruntime's messages for feeds that do not fit the model (1.30:
 * "Got invalid dimensions for input", "Invalid rank for input",
 * "Unexpected input data type", "input 'x' is missing in 'feeds'", and
 * onnxruntime-common's argument checks). A fallback: the feeds are first
 * compared with the session's input metadata, which needs no message.
 */
const MESSAGES = /invalid dimensions for input|invalid rank for input|unexpected input data type|is missing in 'feeds'|'feeds' must be an object|tensor\.dims must be|tensor\.type must be|input name .* is not found/i;

/**
 * Whether a failed `run()` failed because of its input: a missing input, a
 * value that is not a tensor, or a tensor of the wrong type, rank or size
 * along a fixed dimension. Decided after the failure only, from the feeds
 * and `session.inputMetadata` (onnxruntime-node 1.21 and later), then from
 * the message: the successful path pays nothing.
 *
 * @internal
 */
export function isInvalidInput(error: unknown, feeds: unknown, session: Pick<InferenceSession, 'inputMetadata'>): boolean {
  try {
    if (feeds === null || typeof feeds !== 'object' || Array.isArray(feeds)) return true;
    const metadata = session.inputMetadata as InferenceSession.ValueMetadata[] | undefined;
    if (Array.isArray(metadata)) {
      for (const input of metadata) {
        const value = (feeds as Record<string, unknown>)[input.name] as { type?: unknown; dims?: unknown } | undefined;
        if (value === undefined || value === null) return true;
        if (!input.isTensor) continue;
        if (!Array.isArray(value.dims) || typeof value.type !== 'string') return true;
        if (value.type !== input.type) return true;
        const shape = input.shape;
        if (shape.length > 0) {
          if (value.dims.length !== shape.length) return true;
          for (let i = 0; i < shape.length; i++) {
            const expected = shape[i];
            if (typeof expected === 'number' && expected >= 0 && value.dims[i] !== expected) return true;
          }
        }
      }
    }
  } catch {
    // A hostile feeds object: fall through to the message.
  }
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  return MESSAGES.test(message);
}
