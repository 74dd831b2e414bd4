import { describe, expect, it } from 'vitest';
import { RESPONSE_TYPES, schemaProblem } from './registry-standin.js';

// The stand-in's check must be able to fail, or it checks nothing.
describe('the stand-in checks its bodies against the restated MLflow messages', () => {
  const good = { model_version: { name: 'fraud', version: '2', creation_timestamp: 1760000000000, current_stage: 'None', source: 's3://x', run_id: 'r', status: 'READY', aliases: ['champion'], tags: [{ key: 'k', value: 'v' }] } };

  it('accepts a body in MLflow JSON form', () => {
    expect(schemaProblem(RESPONSE_TYPES.byAlias, good)).toBeUndefined();
    expect(schemaProblem(RESPONSE_TYPES.version, good)).toBeUndefined();
  });

  it.each([
    ['a camelCase field name', { model_version: { ...good.model_version, runId: 'r' } }],
    ['a number where the message has a string', { model_version: { ...good.model_version, version: 2 } }],
    ['an unknown status', { model_version: { ...good.model_version, status: 'DONE' } }],
    ['a field the message lacks', { model_version: good.model_version, extra: true }],
    ['aliases as a string', { model_version: { ...good.model_version, aliases: 'champion' } }],
  ])('refuses %s', (_what, body) => {
    expect(schemaProblem(RESPONSE_TYPES.byAlias, body)).toEqual(expect.any(String));
  });
});
