import { describe, expect, it } from 'vitest';
import { checkInteger, ConfigurationError, readInteger, readList, readString } from '../../src/config/env.js';
import { resolveExporters } from '../../src/config/exporters.js';

describe('environment readers', () => {
  it('treats blank as unset', () => {
    expect(readString({ X: '  ' }, 'X')).toBeUndefined();
    expect(readString({ X: ' a ' }, 'X')).toBe('a');
  });

  it('reads comma lists case-insensitively, without duplicates', () => {
    expect(readList({ L: 'Prometheus, console,prometheus' }, 'L', ['prometheus', 'console'])).toEqual(['prometheus', 'console']);
  });

  it('names the variable and the accepted values for an unknown word', () => {
    expect(() => readList({ OTEL_METRICS_EXPORTER: 'prometheus,statsd' }, 'OTEL_METRICS_EXPORTER', ['prometheus', 'none'])).toThrow(
      new ConfigurationError('OTEL_METRICS_EXPORTER="prometheus,statsd": "statsd" is not supported; accepted values: prometheus, none (comma-separated)'),
    );
  });

  it.each(['abc', '70000', '-1', '9464.5', '0x10'])('refuses port %j, naming the variable and the range', (raw) => {
    expect(() => readInteger({ OTEL_EXPORTER_PROMETHEUS_PORT: raw }, 'OTEL_EXPORTER_PROMETHEUS_PORT', 0, 65535)).toThrow(
      `OTEL_EXPORTER_PROMETHEUS_PORT=${JSON.stringify(raw)}: expected a whole number from 0 to 65535`,
    );
  });

  it('checks numbers given in code the same way', () => {
    expect(checkInteger('opt', 80, 0, 65535)).toBe(80);
    expect(() => checkInteger('start({ prometheus: { port } })', 1.5, 0, 65535)).toThrow('start({ prometheus: { port } })=1.5');
  });
});

describe('resolveExporters', () => {
  it('defaults to the Prometheus pull endpoint', () => {
    expect(resolveExporters({}, undefined)).toEqual(['prometheus']);
  });

  it('takes the option over the variable', () => {
    expect(resolveExporters({ OTEL_METRICS_EXPORTER: 'console' }, ['prometheus'])).toEqual(['prometheus']);
  });

  it('drops "none" when other exporters are listed', () => {
    expect(resolveExporters({ OTEL_METRICS_EXPORTER: 'none,console' }, undefined)).toEqual(['console']);
    expect(resolveExporters({ OTEL_METRICS_EXPORTER: 'none' }, undefined)).toEqual(['none']);
  });

  it('names the option for an unknown exporter given in code', () => {
    expect(() => resolveExporters({}, ['zipkin'])).toThrow('start({ exporters }): "zipkin" is not supported; accepted values: prometheus, console, none');
  });
});
