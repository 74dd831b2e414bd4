/**
 * The one protobuf writer of the Prometheus wires (the pull endpoint's
 * protobuf exposition, prometheus/client_model metrics.proto; remote write
 * 1.0, prometheus/prompb types.proto): the wire format
 * (https://protobuf.dev/programming-guides/encoding/) written by hand into
 * one growable buffer, with no message objects and no per-field arrays.
 *
 * Two ways to write, into the same sink:
 * - raw primitives (`byte`, `varint`, `double`, `string`, `bytes`) after one
 *   `reserve` for a length the caller computed ({@link varintSize},
 *   {@link utf8Length}): remote write's per-sample path;
 * - field helpers (`uintField`, `stringField`, `begin`/`end` for nested
 *   messages whose length is patched in when they end), which reserve room
 *   themselves: the exposition, whose messages nest four deep.
 */

/** Bytes a varint of `value` (0 to 2^53) takes. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  let size = 4;
  let rest = Math.floor(value / 0x10000000);
  while (rest > 0) {
    size++;
    rest = Math.floor(rest / 0x80);
  }
  return size;
}

/** UTF-8 byte length of a string; ASCII (every catalog name and most label values) is counted without encoding. */
export function utf8Length(text: string): number {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8');
  }
  return length;
}

/** sint32/sint64 zigzag, so small negative numbers stay short. */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Wire types: varint, 64-bit, length-delimited. */
export type WireType = 0 | 1 | 2;

/** A growable output buffer with the protobuf primitives and field helpers. */
export class ProtoSink {
  buffer: Buffer;
  pos = 0;
  private readonly _float64 = new Float64Array(1);
  private readonly _float64Bytes = new Uint8Array(this._float64.buffer);
  /** Where each open nested message's one-byte length placeholder is. */
  private readonly _starts: number[] = [];

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** Makes room for `bytes` more bytes, keeping what was written. */
  reserve(bytes: number): void {
    const needed = this.pos + bytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }

  // Raw primitives: the caller reserved the room.

  byte(value: number): void {
    this.buffer[this.pos++] = value;
  }

  /** A non-negative integer up to 2^53 as a varint. */
  varint(value: number): void {
    const buffer = this.buffer;
    let pos = this.pos;
    while (value >= 0x80) {
      buffer[pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buffer[pos++] = value;
    this.pos = pos;
  }

  /** A double, little-endian (wire type 1). */
  double(value: number): void {
    this._float64[0] = value;
    const bytes = this._float64Bytes;
    const buffer = this.buffer;
    const pos = this.pos;
    buffer[pos] = bytes[0]!;
    buffer[pos + 1] = bytes[1]!;
    buffer[pos + 2] = bytes[2]!;
    buffer[pos + 3] = bytes[3]!;
    buffer[pos + 4] = bytes[4]!;
    buffer[pos + 5] = bytes[5]!;
    buffer[pos + 6] = bytes[6]!;
    buffer[pos + 7] = bytes[7]!;
    this.pos = pos + 8;
  }

  /** A string whose UTF-8 length the caller computed with {@link utf8Length}. */
  string(text: string, byteLength: number): void {
    if (byteLength === text.length) {
      const buffer = this.buffer;
      let pos = this.pos;
      for (let i = 0; i < byteLength; i++) buffer[pos++] = text.charCodeAt(i);
      this.pos = pos;
    } else {
      this.pos += this.buffer.write(text, this.pos, 'utf8');
    }
  }

  /** Copies bytes. */
  bytes(source: Uint8Array, start = 0, end = source.length): void {
    const length = end - start;
    if (length < 32) {
      const buffer = this.buffer;
      let pos = this.pos;
      for (let i = start; i < end; i++) buffer[pos++] = source[i]!;
      this.pos = pos;
    } else {
      this.buffer.set(source.subarray(start, end), this.pos);
      this.pos += length;
    }
  }

  // Field helpers: each reserves its own room.

  tag(field: number, wire: WireType): void {
    this.reserve(10);
    this.varint(field * 8 + wire);
  }

  /** A uint32/uint64/enum field. */
  uintField(field: number, n: number): void {
    this.tag(field, 0);
    this.reserve(10);
    this.varint(n);
  }

  /** A sint32/sint64 field (zigzag). */
  sintField(field: number, n: number): void {
    this.uintField(field, zigzag(n));
  }

  doubleField(field: number, x: number): void {
    this.tag(field, 1);
    this.reserve(8);
    this.double(x);
  }

  stringField(field: number, text: string): void {
    const n = utf8Length(text);
    this.tag(field, 2);
    this.reserve(10 + n);
    this.varint(n);
    this.string(text, n);
  }

  /** Starts a length-delimited field (`field` > 0) or a varint-delimited top-level message (`field` 0). */
  begin(field: number): void {
    if (field > 0) this.tag(field, 2);
    this.reserve(1);
    this._starts.push(this.pos);
    this.pos += 1;
  }

  /** Ends the innermost {@link begin}: writes its length, moving the body when the length takes more than one byte. */
  end(): void {
    const start = this._starts.pop()!;
    const length = this.pos - start - 1;
    const size = varintSize(length);
    if (size > 1) {
      this.reserve(size - 1);
      this.buffer.copy(this.buffer, start + size, start + 1, this.pos);
      this.pos += size - 1;
    }
    const end = this.pos;
    this.pos = start;
    this.varint(length);
    this.pos = end;
  }

  /** A copy of what was written, detached from the reused buffer. */
  take(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buffer, 0, this.pos);
  }
}

/**
 * A label message (`Label` of prompb, `LabelPair` of client_model: both
 * `string name = 1; string value = 2;`) as a whole field of its parent (tag,
 * length, body) with the given field number, appended to `sink`.
 *
 * @example
 * ```ts
 * writeLabelField(sink, 1, 'model_name', 'iris');
 * ```
 */
export function writeLabelField(sink: ProtoSink, fieldNumber: number, name: string, value: string): void {
  const nameLength = utf8Length(name);
  const valueLength = utf8Length(value);
  const body = 1 + varintSize(nameLength) + nameLength + 1 + varintSize(valueLength) + valueLength;
  sink.reserve(1 + varintSize(body) + body);
  sink.byte((fieldNumber << 3) | 2);
  sink.varint(body);
  sink.byte(0x0a);
  sink.varint(nameLength);
  sink.string(name, nameLength);
  sink.byte(0x12);
  sink.varint(valueLength);
  sink.string(value, valueLength);
}

/**
 * {@link writeLabelField} into a new array: built once per metric for
 * `__name__` and `le` and copied into every series that carries it.
 *
 * @example
 * ```ts
 * const nameField = encodeLabelField(1, '__name__', 'ml_predictions_total');
 * ```
 */
export function encodeLabelField(fieldNumber: number, name: string, value: string): Uint8Array {
  const sink = new ProtoSink(64);
  writeLabelField(sink, fieldNumber, name, value);
  return sink.take();
}
