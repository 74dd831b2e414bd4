/**
 * A snappy compressor for the BLOCK format (not the framed format), which
 * remote write 1.0 requires (prometheus/docs specs/prw/remote_write_spec.md;
 * format: google/snappy format_description.txt). Written for this exporter
 * rather than taken from npm: the native `snappy` package needs a prebuilt
 * binary, and `snappyjs` allocates a new hash table and output per call.
 * This one keeps its hash table and output buffer across calls.
 *
 * The input is compressed in independent 64 KiB fragments, as the reference
 * implementation does, so every back-reference offset fits in 16 bits.
 */

const FRAGMENT_BYTES = 1 << 16;
const MAX_HASH_TABLE_BITS = 14;
/** Below this many bytes a fragment is emitted as one literal (the reference's kInputMarginBytes). */
const INPUT_MARGIN_BYTES = 15;

/** Worst-case size of the compressed form of `length` bytes (the reference's MaxCompressedLength). */
export function maxCompressedLength(length: number): number {
  return 32 + length + Math.floor(length / 6);
}

export class SnappyCompressor {
  private table = new Uint16Array(1 << MAX_HASH_TABLE_BITS);
  private output = new Uint8Array(maxCompressedLength(64 * 1024));
  private pos = 0;

  /** Compresses `input[0, length)` and returns a new array that owns its bytes. */
  compress(input: Uint8Array, length = input.length): Uint8Array {
    const bound = maxCompressedLength(length);
    if (this.output.length < bound) this.output = new Uint8Array(Math.max(bound, this.output.length * 2));
    this.pos = 0;
    // Preamble: the uncompressed length as a varint.
    let rest = length;
    while (rest >= 0x80) {
      this.output[this.pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.output[this.pos++] = rest;
    for (let start = 0; start < length; start += FRAGMENT_BYTES) {
      this.compressFragment(input, start, Math.min(start + FRAGMENT_BYTES, length));
    }
    return this.output.slice(0, this.pos);
  }

  private compressFragment(input: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length < INPUT_MARGIN_BYTES) {
      this.literal(input, start, length);
      return;
    }
    let bits = 8;
    while (bits < MAX_HASH_TABLE_BITS && 1 << bits < length) bits++;
    const shift = 32 - bits;
    const table = this.table;
    table.fill(0, 0, 1 << bits);

    const limit = end - INPUT_MARGIN_BYTES;
    let emitFrom = start;
    let ip = start + 1;
    let nextHash = hash(load32(input, ip), shift);

    for (;;) {
      // Look for a 4-byte match, skipping faster through data that does not
      // compress (the reference's heuristic: one more byte per 32 misses).
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      do {
        ip = nextIp;
        const current = nextHash;
        nextIp = ip + (skip >>> 5);
        skip++;
        if (nextIp > limit) {
          if (emitFrom < end) this.literal(input, emitFrom, end - emitFrom);
          return;
        }
        nextHash = hash(load32(input, nextIp), shift);
        candidate = start + table[current]!;
        table[current] = ip - start;
      } while (load32(input, ip) !== load32(input, candidate));

      this.literal(input, emitFrom, ip - emitFrom);

      // Emit copies for as long as the next bytes match again right away.
      let again: boolean;
      do {
        const base = ip;
        let matched = 4;
        while (ip + matched < end && input[candidate + matched] === input[ip + matched]) matched++;
        ip += matched;
        this.copy(base - candidate, matched);
        emitFrom = ip;
        if (ip >= limit) {
          if (emitFrom < end) this.literal(input, emitFrom, end - emitFrom);
          return;
        }
        table[hash(load32(input, ip - 1), shift)] = ip - 1 - start;
        const current = hash(load32(input, ip), shift);
        candidate = start + table[current]!;
        table[current] = ip - start;
        again = load32(input, ip) === load32(input, candidate);
      } while (again);
      ip++;
      nextHash = hash(load32(input, ip), shift);
    }
  }

  private literal(input: Uint8Array, from: number, length: number): void {
    if (length === 0) return;
    const out = this.output;
    const n = length - 1;
    if (n < 60) {
      out[this.pos++] = n << 2;
    } else if (n < 0x100) {
      out[this.pos++] = 60 << 2;
      out[this.pos++] = n;
    } else if (n < 0x10000) {
      out[this.pos++] = 61 << 2;
      out[this.pos++] = n & 0xff;
      out[this.pos++] = n >>> 8;
    } else if (n < 0x1000000) {
      out[this.pos++] = 62 << 2;
      out[this.pos++] = n & 0xff;
      out[this.pos++] = (n >>> 8) & 0xff;
      out[this.pos++] = n >>> 16;
    } else {
      out[this.pos++] = 63 << 2;
      out[this.pos++] = n & 0xff;
      out[this.pos++] = (n >>> 8) & 0xff;
      out[this.pos++] = (n >>> 16) & 0xff;
      out[this.pos++] = n >>> 24;
    }
    if (length < 32) {
      let pos = this.pos;
      for (let i = from; i < from + length; i++) out[pos++] = input[i]!;
      this.pos = pos;
    } else {
      out.set(input.subarray(from, from + length), this.pos);
      this.pos += length;
    }
  }

  private copy(offset: number, length: number): void {
    while (length >= 68) {
      this.copyUpTo64(offset, 64);
      length -= 64;
    }
    if (length > 64) {
      this.copyUpTo64(offset, 60);
      length -= 60;
    }
    this.copyUpTo64(offset, length);
  }

  private copyUpTo64(offset: number, length: number): void {
    const out = this.output;
    if (length < 12 && offset < 2048) {
      // Copy with a 1-byte offset: 3 high bits of the offset in the tag.
      out[this.pos++] = 1 | ((length - 4) << 2) | ((offset >>> 8) << 5);
      out[this.pos++] = offset & 0xff;
    } else {
      // Copy with a 2-byte little-endian offset.
      out[this.pos++] = 2 | ((length - 1) << 2);
      out[this.pos++] = offset & 0xff;
      out[this.pos++] = offset >>> 8;
    }
  }
}

function load32(input: Uint8Array, at: number): number {
  return input[at]! | (input[at + 1]! << 8) | (input[at + 2]! << 16) | (input[at + 3]! << 24);
}

function hash(value: number, shift: number): number {
  return Math.imul(value, 0x1e35a7bd) >>> shift;
}
