import { describe, expect, it } from 'vitest';
import { InferometerConfigError, InstrumentOptionError } from '../src/index.js';
import { closestFirst, didYouMean, editDistance } from '../src/internal.js';

describe('InferometerConfigError', () => {
  it('carries the option, the accepted values, and a code derived from the details', () => {
    const plain = new InferometerConfigError('temporality', 'bad temporality', ['cumulative', 'delta']);
    expect([plain.option, plain.variable, plain.accepted, plain.related, plain.hint, plain.code]).toEqual(['temporality', undefined, ['cumulative', 'delta'], [], undefined, 'ERR_INFEROMETER_INVALID_OPTION']);
    expect(plain).toBeInstanceOf(TypeError);
    const typo = new InstrumentOptionError('versoin', 'unknown option', ['version'], { hint: 'version' });
    expect([typo.hint, typo.related, typo.code, typo.name]).toEqual(['version', ['version'], 'ERR_INFEROMETER_UNKNOWN_OPTION', 'InstrumentOptionError']);
    const pair = new InferometerConfigError('a', 'a without b', ['set with b'], { related: ['b'], variable: 'A', cause: new Error('root'), code: 'ERR_INFEROMETER_CONFLICTING_OPTIONS' });
    expect([pair.code, pair.related, pair.variable, (pair.cause as Error).message]).toEqual(['ERR_INFEROMETER_CONFLICTING_OPTIONS', ['b'], 'A', 'root']);
    expect(new InferometerConfigError('a', 'm', 'one sentence', { related: ['file.key'] }).code).toBe('ERR_INFEROMETER_INVALID_OPTION');
  });
});

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit and ignores case', () => {
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('batchsize', 'batchSize')).toBe(0);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests a near name only, and orders every name closest first', () => {
    expect(didYouMean('prot', ['host', 'port', 'server'])).toBe('port');
    expect(didYouMean('stream', ['streaming', 'model'])).toBe('streaming');
    expect(didYouMean('xyz', ['host', 'port', 'server'])).toBeUndefined();
    expect(didYouMean('anything', [])).toBeUndefined();
    expect(closestFirst('modle', ['version', 'model', 'mode'])).toEqual(['model', 'mode', 'version']);
  });

  it('does bounded work for a huge name: it is no typo of anything', () => {
    expect(editDistance('x'.repeat(100_000), 'model')).toBe(Number.POSITIVE_INFINITY);
    expect(didYouMean('m'.repeat(100_000), ['model'])).toBeUndefined();
  });
});
