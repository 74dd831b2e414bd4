import { describe, expect, it } from 'vitest';
import { checkInteger, option, readInteger, readList, readString } from '../../src/config/env.js';
import { blame } from '../helpers/blame.js';
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
    const error = blame(() => readList({ OTEL_METRICS_EXPORTER: 'prometheus,statsd' }, 'OTEL_METRICS_EXPORTER', ['prometheus', 'none']));
    expect([error.variable, error.option, error.accepted]).toEqual(['OTEL_METRICS_EXPORTER', undefined, 'prometheus, none (comma-separated)']);
    expect(error.message).toContain('"statsd" is not supported');
    expect(blame(() => readList({ L: ' , ,' }, 'L', ['prometheus'])).variable).toBe('L');
  });

  it.each(['abc', '70000', '-1', '9464.5', '0x10', 'NaN', '1e3', '99999999999999999999999', 'port\u0000'])('refuses port %j, naming the variable and the range', (raw) => {
    const error = blame(() => readInteger({ OTEL_EXPORTER_PROMETHEUS_PORT: raw }, 'OTEL_EXPORTER_PROMETHEUS_PORT', 0, 65535));
    expect([error.variable, error.accepted]).toEqual(['OTEL_EXPORTER_PROMETHEUS_PORT', 'a whole number from 0 to 65535']);
    expect(error.message).toContain(`OTEL_EXPORTER_PROMETHEUS_PORT=${JSON.stringify(raw)}`);
  });

  it('checks numbers given in code the same way', () => {
    expect(checkInteger(option('prometheus.port'), 80, 0, 65535)).toBe(80);
    const error = blame(() => checkInteger(option('prometheus.port'), 1.5, 0, 65535));
    expect([error.option, error.variable]).toEqual(['prometheus.port', undefined]);
    expect(error.message).toContain('start() option prometheus.port=1.5');
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
    expect(blame(() => resolveExporters({}, ['zipkin'])).option).toBe('exporters[0]');
  });
});
