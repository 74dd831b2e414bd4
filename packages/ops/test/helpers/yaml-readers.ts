import jsYaml from 'js-yaml';
import { parse, parseDocument, visit, type Scalar } from 'yaml';

/**
 * The readers generated YAML meets, and an implicit-type resolver written
 * from the specifications, independent of both src/yaml.ts and the readers.
 *
 * No JavaScript reader implements all of YAML 1.1 resolution: js-yaml 3.x
 * reads YAML 1.1 integers, floats, sexagesimals and timestamps but only the
 * YAML 1.2 booleans (`yes` stays a string); the `yaml` package with
 * `version: '1.1'` reads the YAML 1.1 booleans (`yes`, `on`, `y`). kubectl's
 * reader (sigs.k8s.io/yaml over go-yaml v2) does both, so a value must
 * survive every one of them.
 */
export const READERS: Readonly<Record<string, (text: string) => unknown>> = {
  'js-yaml 3 (YAML 1.1 numbers, timestamps)': (text) => jsYaml.safeLoad(text),
  'yaml, version 1.1 (YAML 1.1 booleans)': (text) => parse(text, { version: '1.1' }),
  'yaml, version 1.2 core': (text) => parse(text),
};

// YAML 1.1 types, https://yaml.org/type/ (bool.html, null.html, int.html,
// float.html, timestamp.html, merge.html, value.html), regexes as published.
const YAML11: readonly [string, RegExp][] = [
  ['bool', /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/],
  ['null', /^(?:~|null|Null|NULL|)$/],
  ['int', /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/],
  ['float', /^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9.]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/],
  [
    'timestamp',
    /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
  ],
  ['merge', /^<<$/],
  ['value', /^=$/],
];
// YAML 1.2 core schema, https://yaml.org/spec/1.2.2/#1032-tag-resolution
const YAML12: readonly [string, RegExp][] = [
  ['bool', /^(?:true|True|TRUE|false|False|FALSE)$/],
  ['null', /^(?:null|Null|NULL|~|)$/],
  ['int', /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/],
  ['float', /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/],
];
// go-yaml v2 (resolve.go): a plain scalar starting with one of `+-0123456789.`
// is tried, underscores removed, with strconv.ParseInt(s, 0, 64) (which also
// takes 0o17, 0O17, 0X1F, 0B101) and against its yamlStyleFloat regex;
// timestamps are tried in the layouts 2006-1-2T15:4:5.999999999Z07:00,
// 2006-1-2t15:4:5.999999999Z07:00, 2006-1-2 15:4:5.999999999 and 2006-1-2.
function goYamlV2Type(text: string): string | undefined {
  if (!/^[-+0-9.]/.test(text)) return undefined;
  const plain = text.replaceAll('_', '');
  if (/^[-+]?(?:0[bB][01]+|0[oO]?[0-7]+|0[xX][0-9a-fA-F]+|[0-9]+)$/.test(plain)) return 'int';
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(plain)) return 'float';
  if (/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})?)?$/.test(text)) return 'timestamp';
  return undefined;
}

/** The implicit type a plain scalar `text` gets under YAML 1.1, YAML 1.2 core or go-yaml v2; undefined when it stays a string under all three. */
export function implicitType(text: string): string | undefined {
  for (const [type, pattern] of [...YAML11, ...YAML12]) if (pattern.test(text)) return type;
  return goYamlV2Type(text);
}

/**
 * Plain (unquoted, non-block) scalars that YAML 1.2 reads as strings but that
 * have an implicit type under YAML 1.1 or go-yaml: what kubectl would turn
 * into a boolean, number, null or timestamp. Keys included.
 */
export function typedPlainStrings(text: string): string[] {
  const found: string[] = [];
  visit(parseDocument(text), {
    Scalar(_key, node: Scalar) {
      if (node.type === 'PLAIN' && typeof node.value === 'string' && implicitType(node.source ?? node.value) !== undefined) found.push(node.value);
    },
  });
  return found;
}
