import { describe, expect, it } from 'vitest';
import { parseExposition, seriesCount } from '../../src/prometheus/parse.js';

describe('parseExposition', () => {
  it('groups histogram samples under their family and counts series without le', () => {
    const exposition = parseExposition(
      [
        '# HELP h A histogram.',
        '# UNIT h s',
        '# TYPE h histogram',
        'h_bucket{m="a",le="1"} 1',
        'h_bucket{m="a",le="+Inf"} 2',
        'h_sum{m="a"} 3.5',
        'h_count{m="a"} 2',
        'h_count{m="b"} 0',
        '# TYPE c_total counter',
        'c_total{path="/a,b}",q="say \\"hi\\"\\n"} 1e3 1700000000000',
        'bare NaN',
        '# EOF',
      ].join('\n'),
    );
    expect(exposition.errors).toEqual([]);
    expect([...exposition.families.keys()]).toEqual(['h', 'c_total', 'bare']);
    expect(seriesCount(exposition.families.get('h')!)).toBe(2);
    expect(exposition.families.get('c_total')!.samples[0]).toEqual({ name: 'c_total', labels: { path: '/a,b}', q: 'say "hi"\n' }, value: 1000 });
    expect(exposition.sampleCount).toBe(7);
  });

  it('reports broken lines with their numbers', () => {
    const { errors } = parseExposition(['ok 1', '9bad 1', 'x{a=1} 2', 'y{a="1', 'w{a="1" 2', 'z 1 2 3', '# TYPE'].join('\n'));
    expect(errors).toEqual([
      'line 2: invalid metric name "9bad"',
      'line 3: label a: value must be double-quoted',
      'line 4: label a: unterminated value',
      'line 5: expected "," or "}" after label a',
      'line 6: expected "<value> [timestamp]" after z, got "1 2 3"',
      'line 7: malformed # TYPE line',
    ]);
  });

  it('reports what Prometheus refuses in a scrape: a second # TYPE for a family, a label given twice', () => {
    const { errors } = parseExposition(['# TYPE c counter', 'c 1', '# TYPE c counter', 'h_bucket{le="1",le="2"} 1'].join('\n'));
    expect(errors).toEqual(['line 3: second # TYPE line for c', 'line 4: duplicate label le']);
  });
});
