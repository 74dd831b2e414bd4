import { describe, expect, it } from 'vitest';
import { encodeLabelField, ProtoSink, utf8Length, varintSize, zigzag } from '../../src/prometheus/protobuf.js';

describe('ProtoSink', () => {
  it('patches a nested length that needs two bytes, moving the body', () => {
    const sink = new ProtoSink(4);
    sink.begin(1);
    sink.stringField(2, 'a'.repeat(200));
    sink.end();
    const bytes = sink.take();
    // tag 0x0a, length 203 as varint (0xcb 0x01), then tag 0x12, length 200 (0xc8 0x01), the text.
    expect([...bytes.subarray(0, 5)]).toEqual([0x0a, 0xcb, 0x01, 0x12, 0xc8]);
    expect(bytes.length).toBe(3 + 203);
    expect(Buffer.from(bytes.subarray(6)).toString()).toBe('a'.repeat(200));
  });

  it('writes the same label bytes raw as through the field helpers, UTF-8 included', () => {
    const helpers = new ProtoSink(8);
    helpers.begin(1);
    helpers.stringField(1, 'name');
    helpers.stringField(2, 'välue');
    helpers.end();
    expect(encodeLabelField(1, 'name', 'välue')).toEqual(helpers.take());
  });

  it('varint sizes, zigzag and UTF-8 lengths', () => {
    expect([0, 127, 128, 16383, 16384, 2 ** 28, 2 ** 53].map(varintSize)).toEqual([1, 1, 2, 2, 3, 5, 8]);
    expect([0, -1, 1, -2, 2].map(zigzag)).toEqual([0, 1, 2, 3, 4]);
    expect([utf8Length('abc'), utf8Length('é'), utf8Length('😀')]).toEqual([3, 2, 4]);
    const sink = new ProtoSink(1);
    sink.sintField(1, -3);
    sink.doubleField(2, 1.5);
    expect([...sink.take()]).toEqual([0x08, 5, 0x11, ...new Uint8Array(new Float64Array([1.5]).buffer)]);
  });
});
