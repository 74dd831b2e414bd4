import { describe, expect, it } from 'vitest';
import { checkHttpUrl, headerNameProblem, headerValueProblem, parseKeyValueList } from '../../src/config/validation.js';

describe('shared configuration checks', () => {
  it.each([
    ['a\nb', 'header_value'],
    ['a\u0000', 'header_value'],
    ['a\u007f', 'header_value'],
    ['ключ', 'header_value'],
  ])('refuses header value %j (RFC 9110 section 5.5)', (value, code) => {
    expect(headerValueProblem(value)?.code).toBe(code);
  });

  it('accepts visible ASCII, spaces, tabs and obs-text in header values, tokens as names', () => {
    expect(headerValueProblem('Bearer abc.DEF-123_~+/=')).toBeUndefined();
    expect(headerValueProblem('a\tb c\u00e9')).toBeUndefined();
    expect(headerNameProblem('X-Scope-OrgID')).toBeUndefined();
    expect(headerNameProblem('bad header')?.code).toBe('header_name');
  });

  it.each([
    ['collector:4318', 'url_scheme'],
    ['not a url', 'not_url'],
    ['http://u:p@h/', 'url_credentials'],
    ['http://h/\nw', 'control_character'],
    ['   ', 'empty'],
  ])('refuses URL %j', (raw, code) => {
    const checked = checkHttpUrl(raw);
    expect('problem' in checked && checked.problem.code).toBe(code);
  });

  it('parses percent-encoded key=value lists and refuses what the specification calls invalid', () => {
    expect(parseKeyValueList(' a=1 ,, b=x%3Dy%2Cz ', '', true)).toEqual({ entries: [{ key: 'a', value: '1' }, { key: 'b', value: 'x=y,z' }] });
    for (const [raw, code] of [['a', 'list_entry'], ['=1', 'list_entry'], ['a=b=c', 'list_entry'], ['a=%E0%A4%A', 'percent_encoding'], ['a=%0A', 'control_character']] as const) {
      const parsed = parseKeyValueList(raw, '', true);
      expect('problem' in parsed && parsed.problem.code).toBe(code);
    }
    expect(parseKeyValueList('Authorization=Basic dTpw==', '', false)).toEqual({ entries: [{ key: 'Authorization', value: 'Basic dTpw==' }] });
  });
});
