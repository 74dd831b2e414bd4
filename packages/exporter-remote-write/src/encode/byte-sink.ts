/**
 * The protobuf wire format, written by hand into one growable buffer that is
 * reused across exports: the encoder sits on the export path of every
 * service, so it allocates no message objects and no per-field arrays.
 * Only what remote write 1.0 needs: varints, length-delimited fields, doubles.
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

/** A growable output buffer with the protobuf primitives. */
export class ByteSink {
  buffer: Buffer;
  pos = 0;
  private readonly view: { float64: Float64Array; bytes: Uint8Array };

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
    const float64 = new Float64Array(1);
    this.view = { float64, bytes: new Uint8Array(float64.buffer) };
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

  byte(value: number): void {
    this.buffer[this.pos++] = value;
  }

  /** A non-negative integer up to 2^53 as a varint (caller reserved the room). */
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
    this.view.float64[0] = value;
    const bytes = this.view.bytes;
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

  /** A copy of what was written, detached from the reused buffer. */
  take(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buffer, 0, this.pos);
  }
}

/**
 * `Label { string name = 1; string value = 2; }` as a whole field of its
 * parent (tag, length, body) with the given field number, appended to `sink`.
 */
export function writeLabelField(sink: ByteSink, fieldNumber: number, name: string, value: string): void {
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
 */
export function encodeLabelField(fieldNumber: number, name: string, value: string): Uint8Array {
  const sink = new ByteSink(64);
  writeLabelField(sink, fieldNumber, name, value);
  return sink.take();
}
