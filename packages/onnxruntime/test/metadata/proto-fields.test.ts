import { describe, expect, it } from 'vitest';
import { ProtobufError, walkFields } from '../../src/metadata/proto-fields.js';

describe('walkFields', () => {
  it('visits varint, fixed and length-delimited fields without decoding them', () => {
    // field 1 varint 300 (ac 02), field 2 bytes "hi", field 3 fixed32, field 4 fixed64
    const bytes = Uint8Array.from([0x08, 0xac, 0x02, 0x12, 0x02, 0x68, 0x69, 0x1d, 1, 2, 3, 4, 0x21, 1, 2, 3, 4, 5, 6, 7, 8]);
    const seen: [number, number, number, number, number][] = [];
    walkFields(bytes, 0, bytes.length, (...field) => seen.push(field));
    expect(seen).toEqual([
      [1, 0, 300, 1, 3],
      [2, 2, 2, 5, 7],
      [3, 5, 0, 8, 12],
      [4, 1, 0, 13, 21],
    ]);
  });

  it('reads varints beyond 32 bits exactly', () => {
    // 2^40 = 0x80 0x80 0x80 0x80 0x80 0x20
    const seen: number[] = [];
    walkFields(Uint8Array.from([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]), 0, 7, (_f, _w, value) => seen.push(value));
    expect(seen).toEqual([2 ** 40]);
  });

  it('refuses bytes that are not protobuf, saying where', () => {
    expect(() => walkFields(Uint8Array.from([0x12, 0x05, 0x68]), 0, 3, () => {})).toThrow(new ProtobufError('field 2 of 5 bytes runs past the end of its message at byte 2'));
    expect(() => walkFields(Uint8Array.from([0x0b]), 0, 1, () => {})).toThrow('unsupported wire type 3 for field 1 at byte 1');
    expect(() => walkFields(Uint8Array.from([0x08, 0x80]), 0, 2, () => {})).toThrow('varint cut short at byte 2');
  });
});
