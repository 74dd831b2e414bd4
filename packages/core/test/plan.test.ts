import { describe, expect, it } from 'vitest';
import { InferometerConfigError, InstrumentOptionError } from '../src/errors.js';
import type { InstrumentOptions } from '../src/options.js';
import { compilePlan } from '../src/plan.js';
import type { PredictionSeries, Recorder, SelfResolved, SeriesKey } from '../src/recorder/recorder.js';

/** Records which series were resolved; the plan is tested apart from any backend. */
function recorder(): Recorder & { keys: SeriesKey[] } {
  const keys: SeriesKey[] = [];
  const series = { get series() { return series; }, observer: undefined } as unknown as PredictionSeries & SelfResolved;
  return {
    keys,
    series(key) {
      keys.push(key);
      return series;
    },
    dropped() {},
  };
}

const bad = (options: unknown) => () => compilePlan(options as InstrumentOptions, recorder(), 'instrument(fn, options)');

describe('compilePlan: configuration errors name the option and what it accepts', () => {
  const bucketNames = ['latency', 'confidence', 'batchSize', 'timeToFirstItem', 'streamItems'];
  const labelName = ['a name matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with __'];
  const reserved = ['a name other than model_name, model_version, status, error_type, reason, le, quantile'];
  const increasing = ['1 to 256 finite numbers in strictly increasing order'];
  it.each([
    [undefined, 'options', ['an object'], 'instrument(fn, options): options must be an object'],
    [{}, 'model', ['a string of 1 to 128 characters'], 'option "model" must be a string of 1 to 128 characters naming the model'],
    [{ model: 42 }, 'model', ['a string of 1 to 128 characters'], 'option "model" must be a string'],
    [{ model: 'x'.repeat(129) }, 'model', ['a string of 1 to 128 characters'], 'option "model" must be a string of 1 to 128 characters'],
    [{ model: 'iris', version: 3 }, 'version', ['a string of 1 to 128 characters', 'a function'], 'option "version" must be a string of 1 to 128 characters or a function'],
    [{ model: 'iris', confidence: 'probabilities' }, 'confidence', ['a function'], 'option "confidence" must be a function; got "probabilities"'],
    [{ model: 'iris', batchSize: 8 }, 'batchSize', ['a function'], 'option "batchSize" must be a function; got 8'],
    [{ model: 'iris', versionNumber: {} }, 'versionNumber', ['a function'], 'option "versionNumber" must be a function; got an object'],
    [{ model: 'iris', drift: {} }, 'drift', ['an object with a bind() method'], 'option "drift" must be an observer with a bind() method'],
    [{ model: 'iris', streaming: 'yes' }, 'streaming', ['auto', 'true', 'false'], `option "streaming" must be 'auto', true or false`],
    [{ model: 'iris', attributes: { 'user-id': 'x' } }, 'attributes.user-id', labelName, 'key "user-id", which is not a valid Prometheus label name'],
    [{ model: 'iris', attributes: { __name__: 'x' } }, 'attributes.__name__', labelName, 'key "__name__", which is not a valid Prometheus label name'],
    [{ model: 'iris', attributes: { model_version: 'x' } }, 'attributes.model_version', reserved, 'key "model_version", which the metric catalog already uses'],
    [{ model: 'iris', attributes: { tier: {} } }, 'attributes.tier', ['a string', 'a number', 'a boolean', 'a function'], 'option "attributes.tier" must be a string, number, boolean or a function'],
    [{ model: 'iris', attributeKeys: 'tier' }, 'attributeKeys', ['an array of attribute names'], 'option "attributeKeys" must be an array of attribute names'],
    [{ model: 'iris', attributesFrom: () => ({}) }, 'attributeKeys', ['an array of attribute names'], 'option "attributesFrom" needs option "attributeKeys"'],
    [{ model: 'iris', allowUnboundedKeys: 'x' }, 'allowUnboundedKeys', ['an array of attribute names'], 'option "allowUnboundedKeys" must be an array'],
    [{ model: 'iris', buckets: 5 }, 'buckets', bucketNames, 'option "buckets" must be an object'],
    [{ model: 'iris', buckets: { latency: [0.1, 0.05] } }, 'buckets.latency', increasing, 'option "buckets.latency" must be a non-empty array of at most 256 finite numbers in strictly increasing order'],
    [{ model: 'iris', buckets: { latency: Array.from({ length: 300 }, (_, i) => i) } }, 'buckets.latency', increasing, 'option "buckets.latency" must be a non-empty array of at most 256'],
    [{ model: 'iris', buckets: { latency: [] } }, 'buckets.latency', increasing, 'option "buckets.latency" must be a non-empty array'],
    [{ model: 'iris', buckets: { duration: [1] } }, 'buckets.duration', bucketNames, 'option "buckets.duration" is not a histogram of the catalog; accepted: latency, confidence, batchSize, timeToFirstItem, streamItems'],
  ])('%j', (options, option, accepted, message) => {
    let thrown: unknown;
    try {
      bad(options)();
    } catch (err) {
      thrown = err;
    }
    // One family: an InstrumentOptionError is an InferometerConfigError is a TypeError.
    expect(thrown).toBeInstanceOf(InstrumentOptionError);
    expect(thrown).toBeInstanceOf(InferometerConfigError);
    expect(thrown).toBeInstanceOf(TypeError);
    const error = thrown as InstrumentOptionError;
    expect(error.name).toBe('InstrumentOptionError');
    expect(error.option).toBe(option);
    expect(error.accepted).toEqual(accepted);
    // The message is for people; it still says the same.
    expect(error.message).toContain(message);
  });
});

describe('compilePlan: series resolution is decided once', () => {
  it('resolves a fixed version and constant attributes once, at decoration time', () => {
    const r = recorder();
    const plan = compilePlan({ model: 'iris', version: '1.2.3', attributes: { region: 'eu', shard: 3, canary: false } }, r, 'test');
    expect(r.keys).toHaveLength(1);
    plan.resolve(undefined, []);
    plan.resolve(undefined, []);
    expect(r.keys).toHaveLength(1);
    expect(r.keys[0]).toMatchObject({ model: 'iris', version: '1.2.3', versionNumber: 1_002_003, attributes: { region: 'eu', shard: '3', canary: 'false' } });
  });

  it('resolves per distinct version value, and reuses the handle', () => {
    const r = recorder();
    const plan = compilePlan({ model: 'iris', version: (self: { v: string }) => self.v }, r, 'test');
    expect(r.keys).toHaveLength(0);
    plan.resolve({ v: 'a' }, []);
    plan.resolve({ v: 'a' }, []);
    plan.resolve({ v: 'b' }, []);
    expect(r.keys.map((k) => k.version)).toEqual(['a', 'b']);
  });

  it('uses the versionNumber option for versions the default encoding cannot read', () => {
    const r = recorder();
    compilePlan({ model: 'iris', version: 'blue', versionNumber: (v) => (v === 'blue' ? 7 : undefined) }, r, 'test');
    expect(r.keys[0]?.versionNumber).toBe(7);
  });
});

describe('compilePlan: the drift observer', () => {
  it('binds once per series, not per call', () => {
    const bound: string[] = [];
    const plan = compilePlan(
      { model: 'iris', version: (self: { v: string }) => self.v, drift: { bind: ({ model, version }) => (bound.push(`${model}@${version}`), {}) } },
      recorder(),
      'test',
    );
    plan.resolve({ v: '1' }, []);
    plan.resolve({ v: '1' }, []);
    plan.resolve({ v: '2' }, []);
    expect(bound).toEqual(['iris@1', 'iris@2']);
  });

  it('refuses something that is not an observer, naming the option', () => {
    expect(bad({ model: 'iris', drift: { reference: {} } })).toThrow('option "drift" must be an observer with a bind() method');
  });
});

describe('compilePlan: unbounded keys are refused at configuration', () => {
  it('names the key, the metric and what to do instead', () => {
    expect(bad({ model: 'iris', attributes: { request_id: (_s: unknown, [r]: [{ id: string }]) => r.id } })).toThrow(
      'instrument(fn, options): attribute "request_id" on ml_predictions_total (and the other per-prediction metrics of model "iris") is unbounded by nature',
    );
    expect(bad({ model: 'iris', attributeKeys: ['email'], attributesFrom: () => ({}) })).toThrow('Put it on a trace or a log instead, or bucket it');
    expect(bad({ model: 'iris', attributes: { user_id: 'u1' } })).toThrow("opt in with allowUnboundedKeys: ['user_id']");
  });

  it('lets an explicit, named opt-in through', () => {
    expect(() => compilePlan({ model: 'iris', attributes: { account_id: (_s: unknown, args: unknown[]) => String(args[0]) }, allowUnboundedKeys: ['account_id'] }, recorder(), 'test')).not.toThrow();
  });

  it('wants attributeKeys with attributesFrom, and valid names in it', () => {
    expect(bad({ model: 'iris', attributesFrom: () => ({ tier: 'a' }) })).toThrow('option "attributesFrom" needs option "attributeKeys"');
    expect(bad({ model: 'iris', attributeKeys: ['bad-name'], attributesFrom: () => ({}) })).toThrow('option "attributeKeys" has key "bad-name"');
    expect(bad({ model: 'iris', attributes: { tier: 'a' }, attributeKeys: ['tier'], attributesFrom: () => ({}) })).toThrow('option "attributeKeys" repeats "tier"');
  });
});

describe('compilePlan: unknown option keys', () => {
  it.each([
    ['versoin', 'version'],
    ['confidance', 'confidence'],
    ['batchsize', 'batchSize'],
    ['attributeKey', 'attributeKeys'],
    ['stream', 'streaming'],
  ])('throws InstrumentOptionError for %s, naming %s as the closest key', (typo, closest) => {
    let thrown: unknown;
    try {
      compilePlan({ model: 'iris', [typo]: '1.0.0' } as InstrumentOptions, recorder(), '@Instrument(options)');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InstrumentOptionError);
    expect(thrown).toBeInstanceOf(TypeError);
    const error = thrown as InstrumentOptionError;
    expect(error.option).toBe(typo);
    expect(error.accepted[0]).toBe(closest);
    expect(error.accepted).toHaveLength(18);
    expect(error.message).toContain(`"${typo}"`);
    expect(error.message).toContain(`"${closest}"`);
  });

  it('names a symbol key too, and accepts every documented key', () => {
    const key = Symbol('extra');
    expect(() => compilePlan({ model: 'iris', [key]: 1 } as InstrumentOptions, recorder(), 'instrument(fn, options)')).toThrow(InstrumentOptionError);
    expect(() =>
      compilePlan(
        { model: 'iris', version: '1', versionNumber: () => 1, confidence: () => 1, batchSize: () => 1, attributes: {}, attributeKeys: ['tier'], attributesFrom: () => ({}), allowUnboundedKeys: [], buckets: {}, errorType: () => undefined, drift: { bind: () => ({}) }, streaming: 'auto' },
        recorder(),
        'instrument(fn, options)',
      ),
    ).not.toThrow();
  });
});
