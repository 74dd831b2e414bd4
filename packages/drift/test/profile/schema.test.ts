import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildProfile } from '../../src/profile/build.js';

// The JSON schema shipped in the package (schema/reference-profile.v1.schema.json)
// must accept what the code writes and refuse what parseProfile refuses at the schema level.
const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schema', 'reference-profile.v1.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true }).compile(schema);

describe('reference-profile.v1.schema.json', () => {
  it('accepts profiles built by buildProfile, with predictions', () => {
    const profile = buildProfile(
      { columns: { x: [1, 2, 3, 4, 5], c: ['a', 'b', 'a', 'a', 'c'] } },
      { bins: 3, predictions: { class: ['y', 'n', 'y', 'y', 'n'], confidence: [0.6, 0.7, 0.8, 0.9, 0.95] } },
    );
    expect(validate(JSON.parse(JSON.stringify(profile))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuses a wrong format, version, feature type or extra field', () => {
    const base = JSON.parse(JSON.stringify(buildProfile({ columns: { x: [1, 2, 3] } }, { bins: 2 })));
    for (const mutate of [
      (p: any) => (p.format = 'x'),
      (p: any) => (p.version = 2),
      (p: any) => (p.features[0].type = 'text'),
      (p: any) => (p.features[0].extra = 1),
      (p: any) => (p.features[0].proportions = [1.5, -0.5]),
      (p: any) => delete p.rows,
    ]) {
      const profile = structuredClone(base);
      mutate(profile);
      expect(validate(profile)).toBe(false);
    }
  });
});
