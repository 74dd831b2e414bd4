import fc from 'fast-check';
import { uncompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { maxCompressedLength, SnappyCompressor } from '../../src/encode/snappy.js';

// Every output is checked by an independent decoder (snappyjs).
function roundTrip(compressor: SnappyCompressor, input: Uint8Array): Uint8Array {
  const compressed = compressor.compress(input);
  expect(compressed.length).toBeLessThanOrEqual(maxCompressedLength(input.length));
  expect(Buffer.from(uncompress(compressed)).equals(Buffer.from(input))).toBe(true);
  return compressed;
}

describe('SnappyCompressor (block format)', () => {
  const compressor = new SnappyCompressor();

  it('round-trips empty, tiny and incompressible input', () => {
    roundTrip(compressor, new Uint8Array(0));
    roundTrip(compressor, new Uint8Array([42]));
    roundTrip(compressor, Buffer.from('abcdefghijklmn')); // below the 15-byte margin: one literal
    const random = new Uint8Array(100_000);
    for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
    roundTrip(compressor, random);
  });

  it('compresses repetitive input (label sets) well, across 64 KiB fragments', () => {
    const text = Buffer.from('model_name="iris",model_version="1.0.0",status="success",le="0.005"\n'.repeat(5000));
    const compressed = roundTrip(compressor, text);
    expect(text.length).toBeGreaterThan(3 * 65536);
    expect(compressed.length).toBeLessThan(text.length / 10);
  });

  it('writes the uncompressed length as the varint preamble', () => {
    const compressed = compressor.compress(new Uint8Array(300));
    expect([compressed[0], compressed[1]]).toEqual([0xac, 0x02]);
  });

  it('round-trips arbitrary bytes, reusing its buffers between calls', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), fc.nat(6), (bytes, repeat) => {
        const input = new Uint8Array(bytes.length * (repeat + 1));
        for (let r = 0; r <= repeat; r++) input.set(bytes, r * bytes.length);
        roundTrip(compressor, input);
      }),
      { numRuns: 60 },
    );
  });

  it('returns arrays that own their bytes (a later call does not change an earlier result)', () => {
    const first = compressor.compress(Buffer.from('first '.repeat(100)));
    const copy = Buffer.from(first);
    compressor.compress(Buffer.from('second '.repeat(100)));
    expect(Buffer.from(first).equals(copy)).toBe(true);
  });
});
