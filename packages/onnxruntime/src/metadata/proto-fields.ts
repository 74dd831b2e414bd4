/**
 * A minimal protobuf field walker (wire format: developers.google.com/protocol-buffers/docs/encoding).
 * It visits the top-level fields of one message without decoding them, so
 * the ONNX reader can read the few fields it needs and step over the large
 * ones (initializers: the weights, most of a model file) by their wire type,
 * without building objects for them. Every length is checked against the end
 * of its message before it is used: nothing is read past the buffer.
 *
 * @internal
 */

/** Wire types: varint, 64-bit, length-delimited, 32-bit (groups 3 and 4 are obsolete and refused). */
export const WIRE_VARINT = 0;
export const WIRE_LENGTH_DELIMITED = 2;

/** A message that cannot be walked: not protobuf, or cut short. */
export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

/**
 * Calls `visit` for every field of the message in `bytes[start, end)`: its
 * number, wire type, and either its varint value or the bounds of its bytes.
 */
export function walkFields(
  bytes: Uint8Array,
  start: number,
  end: number,
  visit: (field: number, wire: number, value: number, from: number, to: number) => void,
): void {
  let at = start;
  while (at < end) {
    const [key, afterKey] = varint(bytes, at, end);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw new ProtobufError(`field number 0 at byte ${at}`);
    at = afterKey;
    switch (wire) {
      case 0: {
        const [value, next] = varint(bytes, at, end);
        visit(field, wire, value, at, next);
        at = next;
        break;
      }
      case 1:
        if (at + 8 > end) throw new ProtobufError(`64-bit field ${field} cut short at byte ${at}`);
        visit(field, wire, 0, at, at + 8);
        at += 8;
        break;
      case 2: {
        const [length, next] = varint(bytes, at, end);
        if (next + length > end) throw new ProtobufError(`field ${field} of ${length} bytes runs past the end of its message at byte ${next}`);
        visit(field, wire, length, next, next + length);
        at = next + length;
        break;
      }
      case 5:
        if (at + 4 > end) throw new ProtobufError(`32-bit field ${field} cut short at byte ${at}`);
        visit(field, wire, 0, at, at + 4);
        at += 4;
        break;
      default:
        throw new ProtobufError(`unsupported wire type ${wire} for field ${field} at byte ${at}`);
    }
  }
}

/** A varint as a JavaScript number (exact up to 2^53) and the offset after it. */
function varint(bytes: Uint8Array, at: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (at >= end) throw new ProtobufError(`varint cut short at byte ${at}`);
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
    scale *= 128;
  }
  throw new ProtobufError(`varint longer than 10 bytes at byte ${at}`);
}
