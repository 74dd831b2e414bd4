import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvError, CsvReader } from '../../src/cli/csv.js';

function read(chunks: string[], delimiter = ','): [string[], number][] {
  const records: [string[], number][] = [];
  const reader = new CsvReader((fields, line) => records.push([fields, line]), delimiter);
  for (const chunk of chunks) reader.push(chunk);
  reader.end();
  return records;
}

describe('CsvReader (RFC 4180)', () => {
  it('reads fields, quoted fields with delimiters, line breaks and doubled quotes', () => {
    const text = 'a,b,c\r\n1,"x, y","say ""hi"""\n2,"two\nlines",\n\n3,,z';
    expect(read([text])).toEqual([
      [['a', 'b', 'c'], 1],
      [['1', 'x, y', 'say "hi"'], 2],
      [['2', 'two\nlines', ''], 3],
      [['3', '', 'z'], 6],
    ]);
  });

  it('takes another delimiter', () => {
    expect(read(['a;b\n1;2\n'], ';').map(([f]) => f)).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('gives the same records however the text is cut into chunks (property)', () => {
    const text = 'h1,h2\r\n"a,1","b""2"\n"multi\r\nline",x\n,\n';
    const whole = read([text]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 6 }), (cuts) => {
        const points = [0, ...[...cuts].sort((a, b) => a - b), text.length];
        expect(read(points.slice(1).map((end, i) => text.slice(points[i], end)))).toEqual(whole);
      }),
    );
  });

  it('refuses a quoted field left open at the end of the file', () => {
    expect(() => read(['a,b\n1,"open'])).toThrow(new CsvError('line 2: a quoted field is not closed before the end of the file'));
  });
});
