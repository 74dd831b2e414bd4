/**
 * A minimal protocol buffers writer (https://protobuf.dev/programming-guides/encoding/):
 * varints, zigzag, doubles, strings and nested messages whose length is
 * patched in when they end (one byte reserved, the body moved when the
 * length needs more), into one growing buffer.
 *
 * @internal
 */
export class ProtoWriter {
  buf: Buffer;
  pos = 0;
  private readonly _starts: number[] = [];

  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private _ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** Unsigned varint of a non-negative safe integer. */
  varint(n: number): void {
    this._ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (n >= 0x80) {
      buf[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[pos++] = n;
    this.pos = pos;
  }

  tag(field: number, wire: 0 | 1 | 2): void {
    this.varint((field << 3) | wire);
  }

  uint(field: number, n: number): void {
    this.tag(field, 0);
    this.varint(n);
  }

  /** sint32/sint64: zigzag, so small negative numbers stay short. */
  sint(field: number, n: number): void {
    this.tag(field, 0);
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  double(field: number, x: number): void {
    this.tag(field, 1);
    this._ensure(8);
    this.buf.writeDoubleLE(x, this.pos);
    this.pos += 8;
  }

  string(field: number, text: string): void {
    this.tag(field, 2);
    const n = Buffer.byteLength(text, 'utf8');
    this.varint(n);
    this._ensure(n);
    this.buf.write(text, this.pos, 'utf8');
    this.pos += n;
  }

  /** Starts a length-delimited field (`field` > 0) or a delimited top-level message (`field` 0). */
  begin(field: number): void {
    if (field > 0) this.tag(field, 2);
    this._ensure(1);
    this._starts.push(this.pos);
    this.pos += 1;
  }

  end(): void {
    const start = this._starts.pop()!;
    const length = this.pos - start - 1;
    let size = 1;
    for (let n = length; n >= 0x80; n = Math.floor(n / 0x80)) size++;
    if (size > 1) {
      this._ensure(size - 1);
      this.buf.copy(this.buf, start + size, start + 1, this.pos);
      this.pos += size - 1;
    }
    const end = this.pos;
    this.pos = start;
    this.varint(length);
    this.pos = end;
  }

  /** The bytes written, as a copy the writer no longer touches. */
  finish(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buf, 0, this.pos);
  }
}
