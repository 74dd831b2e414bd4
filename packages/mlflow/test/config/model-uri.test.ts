import { InferometerConfigError } from '@inferometer/core';
import { describe, expect, it } from 'vitest';
import { MODEL_URI_FORMS, parseModelUri } from '../../src/config/model-uri.js';

describe('parseModelUri, as MLflow parses models:/ URIs', () => {
  it('reads an alias (split at the last @) and a pinned version', () => {
    expect(parseModelUri('models:/fraud@champion')).toEqual({ uri: 'models:/fraud@champion', name: 'fraud', alias: 'champion' });
    expect(parseModelUri('models:/team@fraud@blue')).toEqual({ uri: 'models:/team@fraud@blue', name: 'team@fraud', alias: 'blue' });
    expect(parseModelUri('models:/fraud model/12')).toEqual({ uri: 'models:/fraud model/12', name: 'fraud model', version: '12' });
  });

  it.each([
    ['models:/fraud/Production', 'stage'],
    ['models:/fraud/latest', 'stage'],
    ['models:/m-0123456789abcdef', 'logged model'],
    ['models:/fraud@', 'no alias'],
    ['models:/@champion', 'no model name'],
    ['models:/fraud/', 'no version'],
    ['models:/a/b/c', 'more than two'],
    ['models://profile@databricks/fraud/1', 'Databricks'],
    ['runs:/abc/model', "does not start with 'models:/'"],
    ['models:/fraud@champion?x=1', 'query'],
    ['models:/fraud@cham\npion', 'control'],
    [42, 'not a string'],
    [`models:/${'x'.repeat(2000)}@a`, 'longer than'],
  ])('refuses %s, naming the accepted forms', (uri, why) => {
    let error: unknown;
    try {
      parseModelUri(uri);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InferometerConfigError);
    expect(error).toMatchObject({ option: 'uri', accepted: MODEL_URI_FORMS, message: expect.stringContaining(why) });
  });
});
