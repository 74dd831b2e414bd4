import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/config/env.js';
import { ATTR_SERVICE_INSTANCE_ID, buildResource } from '../../src/config/resource.js';

const idOf = (resource: ReturnType<typeof buildResource>): unknown => resource.attributes[ATTR_SERVICE_INSTANCE_ID];

describe('service.instance.id', () => {
  it('is a fresh UUID per process start when nothing names the instance', () => {
    const first = idOf(buildResource({}, undefined));
    const second = idOf(buildResource({}, undefined));
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second).not.toBe(first);
  });

  it('comes from the option, then OTEL_RESOURCE_ATTRIBUTES, then remoteWrite.instance', () => {
    const env = { OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=pod-7' };
    expect(idOf(buildResource(env, undefined, { serviceInstanceId: 'given', remoteWriteInstance: 'rw' }))).toBe('given');
    expect(idOf(buildResource(env, undefined, { remoteWriteInstance: 'rw' }))).toBe('pod-7');
    expect(idOf(buildResource({}, undefined, { remoteWriteInstance: 'rw' }))).toBe('rw');
  });

  it('refuses an empty or control-character id, naming the option', () => {
    for (const bad of ['', 'a\nb', 'x'.repeat(256)]) {
      expect(() => buildResource({}, undefined, { serviceInstanceId: bad })).toThrow(ConfigurationError);
      try {
        buildResource({}, undefined, { serviceInstanceId: bad });
      } catch (err) {
        expect((err as ConfigurationError).option).toBe('serviceInstanceId');
      }
    }
  });
});
