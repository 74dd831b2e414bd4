import { describe, expect, it } from 'vitest';
import { blame } from '../helpers/blame.js';
import { DEFAULT_OTLP_ENDPOINT, DEFAULT_OTLP_GRPC_ENDPOINT, resolveOtlpConfig } from '../../src/config/otlp.js';
import { readHeaderList } from '../../src/config/otlp-headers.js';
import {
  CLOUDWATCH_SIGNING_SERVICE,
  DATADOG_MAX_PAYLOAD_BYTES,
  DEFAULT_OTLP_MAX_PAYLOAD_BYTES,
  NEW_RELIC_ATTRIBUTE_LIMITS,
  NEW_RELIC_MAX_PAYLOAD_BYTES,
} from '../../src/config/otlp-presets.js';

describe('OTLP configuration', () => {
  it('defaults to plain OTLP/HTTP protobuf at localhost:4318, cumulative, explicit buckets', () => {
    expect(resolveOtlpConfig({})).toEqual({
      preset: 'collector',
      url: DEFAULT_OTLP_ENDPOINT,
      headers: {},
      protocol: 'http/protobuf',
      temporality: 'cumulative',
      histogramAggregation: 'explicit_bucket_histogram',
      compression: 'none',
      timeoutMillis: 10_000,
      maxPayloadBytes: DEFAULT_OTLP_MAX_PAYLOAD_BYTES,
      attributeLimits: undefined,
    });
  });

  it('reads the standard variables, signal-specific over generic', () => {
    const config = resolveOtlpConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-team=ml,x-both=generic',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-both=specific,authorization=Bearer%20abc',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'LowMemory',
      OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'base2_exponential_bucket_histogram',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
      OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '3000',
      INFEROMETER_OTLP_MAX_PAYLOAD_BYTES: '65536',
    });
    expect(config).toMatchObject({
      url: 'http://collector:4318/v1/metrics',
      headers: { 'x-team': 'ml', 'x-both': 'specific', authorization: 'Bearer abc' },
      protocol: 'http/json',
      temporality: 'lowmemory',
      histogramAggregation: 'base2_exponential_bucket_histogram',
      compression: 'gzip',
      timeoutMillis: 3000,
      maxPayloadBytes: 65536,
    });
    expect(resolveOtlpConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m:9999/custom' }).url).toBe('http://m:9999/custom');
  });

  it('takes options in code over variables', () => {
    const config = resolveOtlpConfig(
      { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://env:4318/v1/metrics', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_HEADERS: 'a=env' },
      { endpoint: 'http://code:4318/v1/metrics', protocol: 'http/protobuf', headers: { a: 'code' }, temporalityPreference: 'delta' },
    );
    expect(config).toMatchObject({ url: 'http://code:4318/v1/metrics', protocol: 'http/protobuf', headers: { a: 'code' }, temporality: 'delta' });
  });

  it('the datadog preset: site endpoint, dd-api-key, delta, 500 KB; each value overridable', () => {
    const config = resolveOtlpConfig({ INFEROMETER_OTLP_PRESET: 'datadog', DD_API_KEY: 'k1', DD_SITE: 'datadoghq.eu' });
    expect(config).toMatchObject({
      preset: 'datadog',
      url: 'https://otlp.datadoghq.eu/v1/metrics',
      headers: { 'dd-api-key': 'k1' },
      temporality: 'delta',
      histogramAggregation: 'explicit_bucket_histogram',
      maxPayloadBytes: DATADOG_MAX_PAYLOAD_BYTES,
    });
    const overridden = resolveOtlpConfig({
      INFEROMETER_OTLP_PRESET: 'datadog',
      DD_API_KEY: 'k1',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:4318/v1/metrics',
      OTEL_EXPORTER_OTLP_HEADERS: 'dd-otel-metric-config={"histograms":{"mode":"counters"}}',
    });
    expect(overridden.url).toBe('http://127.0.0.1:4318/v1/metrics');
    expect(overridden.headers).toEqual({ 'dd-api-key': 'k1', 'dd-otel-metric-config': '{"histograms":{"mode":"counters"}}' });
  });

  it('the newrelic preset: regional endpoint, api-key, delta, exponential histograms, gzip, 1 MB, attribute limits', () => {
    expect(resolveOtlpConfig({ NEW_RELIC_LICENSE_KEY: 'lic' })).toMatchObject({
      preset: 'newrelic',
      url: 'https://otlp.nr-data.net/v1/metrics',
      headers: { 'api-key': 'lic' },
      temporality: 'delta',
      histogramAggregation: 'base2_exponential_bucket_histogram',
      compression: 'gzip',
      maxPayloadBytes: NEW_RELIC_MAX_PAYLOAD_BYTES,
      attributeLimits: NEW_RELIC_ATTRIBUTE_LIMITS,
    });
    expect(resolveOtlpConfig({ NEW_RELIC_LICENSE_KEY: 'lic', NEW_RELIC_REGION: 'EU' }).url).toBe('https://otlp.eu01.nr-data.net/v1/metrics');
    expect(resolveOtlpConfig({ NEW_RELIC_LICENSE_KEY: 'lic', NEW_RELIC_REGION: 'fedramp' }).url).toBe('https://gov-otlp.nr-data.net/v1/metrics');
    expect(resolveOtlpConfig({ INFEROMETER_OTLP_PRESET: 'newrelic', OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'explicit_bucket_histogram', NEW_RELIC_LICENSE_KEY: 'l' }).histogramAggregation).toBe('explicit_bucket_histogram');
  });

  it('the cloudwatch preset: regional monitoring endpoint, SigV4 with service monitoring, cumulative; the standard endpoint still wins', () => {
    expect(resolveOtlpConfig({ INFEROMETER_OTLP_PRESET: 'cloudwatch', AWS_REGION: 'eu-west-1' })).toEqual({
      preset: 'cloudwatch',
      url: 'https://monitoring.eu-west-1.amazonaws.com/v1/metrics',
      headers: {},
      protocol: 'http/protobuf',
      temporality: 'cumulative',
      histogramAggregation: 'explicit_bucket_histogram',
      compression: 'none',
      timeoutMillis: 10_000,
      maxPayloadBytes: DEFAULT_OTLP_MAX_PAYLOAD_BYTES,
      attributeLimits: undefined,
      sigv4: { region: 'eu-west-1', service: CLOUDWATCH_SIGNING_SERVICE },
    });
    expect(CLOUDWATCH_SIGNING_SERVICE).toBe('monitoring');
    // AWS_DEFAULT_REGION when AWS_REGION is unset; the option over both; China under amazonaws.com.cn.
    expect(resolveOtlpConfig({ INFEROMETER_OTLP_PRESET: 'cloudwatch', AWS_DEFAULT_REGION: 'ap-southeast-2' }).url).toBe('https://monitoring.ap-southeast-2.amazonaws.com/v1/metrics');
    expect(resolveOtlpConfig({ INFEROMETER_OTLP_PRESET: 'cloudwatch', AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' }).sigv4?.region).toBe('us-east-1');
    expect(resolveOtlpConfig({ AWS_REGION: 'us-east-1' }, { preset: 'cloudwatch', awsRegion: 'cn-north-1' }).url).toBe('https://monitoring.cn-north-1.amazonaws.com.cn/v1/metrics');
    const local = resolveOtlpConfig({ INFEROMETER_OTLP_PRESET: 'cloudwatch', AWS_REGION: 'us-east-1', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:4318/v1/metrics', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
    expect(local).toMatchObject({ url: 'http://127.0.0.1:4318/v1/metrics', compression: 'gzip', sigv4: { region: 'us-east-1', service: 'monitoring' } });
    // Never detected from AWS_REGION, which every AWS compute service sets.
    expect(resolveOtlpConfig({ AWS_REGION: 'us-east-1' })).toMatchObject({ preset: 'collector', sigv4: undefined });
  });

  it.each([
    [{ INFEROMETER_OTLP_PRESET: 'cloudwatch' }, 'AWS_REGION', ['AWS_DEFAULT_REGION', 'otlp.awsRegion']],
    [{ INFEROMETER_OTLP_PRESET: 'cloudwatch', AWS_REGION: 'US-EAST-1' }, 'AWS_REGION', []],
    [{ INFEROMETER_OTLP_PRESET: 'cloudwatch', AWS_REGION: 'us-east-1.amazonaws.com' }, 'AWS_REGION', []],
    [{ INFEROMETER_OTLP_PRESET: 'cloudwatch', AWS_DEFAULT_REGION: 'virginia' }, 'AWS_DEFAULT_REGION', []],
  ])('the cloudwatch preset fails at start on %j, naming %s', (env, variable, related) => {
    const error = blame(() => resolveOtlpConfig(env));
    expect(error.variable).toBe(variable);
    expect(error.accepted).toContain('an AWS region name such as us-east-1');
    expect(error.message).toContain(variable);
    expect(error.related).toEqual(related);
  });

  it('the cloudwatch preset names the option for a bad awsRegion in code', () => {
    const error = blame(() => resolveOtlpConfig({ AWS_REGION: 'us-east-1' }, { preset: 'cloudwatch', awsRegion: 'mars-1' }));
    expect(error.option).toBe('otlp.awsRegion');
    expect(error.variable).toBeUndefined();
  });

  it('over grpc: the specification default localhost:4317, the endpoint as given (no /v1/metrics), TLS by scheme', () => {
    expect(resolveOtlpConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({ protocol: 'grpc', url: DEFAULT_OTLP_GRPC_ENDPOINT, tls: undefined, temporality: 'cumulative' });
    expect(DEFAULT_OTLP_GRPC_ENDPOINT).toBe('http://localhost:4317');
    expect(resolveOtlpConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://agent:4317/' }).url).toBe('http://agent:4317');
    expect(resolveOtlpConfig({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'GRPC', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://collector:4317' })).toMatchObject({
      url: 'https://collector:4317',
      tls: { rootCertificate: undefined, clientKey: undefined, clientCertificate: undefined },
    });
    // Scheme-less targets: TLS unless OTEL_EXPORTER_OTLP_(METRICS_)INSECURE says otherwise.
    expect(resolveOtlpConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' }).url).toBe('https://collector:4317');
    expect(resolveOtlpConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317', OTEL_EXPORTER_OTLP_INSECURE: 'true' }).url).toBe('http://collector:4317');
    expect(resolveOtlpConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317', OTEL_EXPORTER_OTLP_INSECURE: 'true', OTEL_EXPORTER_OTLP_METRICS_INSECURE: 'false' }).url).toBe('https://collector:4317');
    expect(resolveOtlpConfig({}, { protocol: 'grpc', endpoint: '[::1]:4317', insecure: true }).url).toBe('http://[::1]:4317');
    // Over HTTP nothing changes.
    expect(resolveOtlpConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://agent:4318' }).url).toBe('http://agent:4318/v1/metrics');
  });

  it('over grpc the newrelic preset takes its gRPC endpoint with the same key, delta, exponential histograms and gzip', () => {
    expect(resolveOtlpConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', NEW_RELIC_LICENSE_KEY: 'l' })).toMatchObject({
      preset: 'newrelic',
      url: 'https://otlp.nr-data.net:4317',
      headers: { 'api-key': 'l' },
      temporality: 'delta',
      histogramAggregation: 'base2_exponential_bucket_histogram',
      compression: 'gzip',
      maxPayloadBytes: NEW_RELIC_MAX_PAYLOAD_BYTES,
    });
    expect(resolveOtlpConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', NEW_RELIC_LICENSE_KEY: 'l', NEW_RELIC_REGION: 'eu' }).url).toBe('https://otlp.eu01.nr-data.net:4317');
  });

  it('refuses grpc with a preset whose vendor takes OTLP/HTTP only, whatever the endpoint, naming the option in code', () => {
    const datadog = blame(() => resolveOtlpConfig({ DD_API_KEY: 'k' }, { preset: 'datadog', protocol: 'grpc', endpoint: 'http://agent:4317' }));
    expect(datadog.option).toBe('otlp.protocol');
    expect(datadog.message).toContain("Datadog Agent's OTLP receiver");
    expect(datadog.related).toEqual(['INFEROMETER_OTLP_PRESET', 'otlp.preset']);
    // The Agent itself, over gRPC: plain OTLP to its receiver.
    expect(resolveOtlpConfig({ DD_API_KEY: 'k', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://agent:4317' })).toMatchObject({ preset: 'collector', url: 'http://agent:4317', headers: {} });
  });

  it('detects a preset from the vendor key only when no endpoint is configured', () => {
    expect(resolveOtlpConfig({ DD_API_KEY: 'k' }).preset).toBe('datadog');
    expect(resolveOtlpConfig({ DD_API_KEY: 'k', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://agent:4318' }).preset).toBe('collector');
    expect(resolveOtlpConfig({ DD_API_KEY: 'k', INFEROMETER_OTLP_PRESET: 'collector' }).headers).toEqual({});
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'thrift' }, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'http/protobuf, http/json, grpc'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', DD_API_KEY: 'k' }, 'OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf or http/json with this preset'],
    [{ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc', AWS_REGION: 'us-east-1', INFEROMETER_OTLP_PRESET: 'cloudwatch' }, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'http/protobuf or http/json with this preset'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317/v1/metrics' }, 'OTEL_EXPORTER_OTLP_ENDPOINT', 'without a path'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_INSECURE: 'yes' }, 'OTEL_EXPORTER_OTLP_INSECURE', 'true, false'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c:4317', OTEL_EXPORTER_OTLP_CERTIFICATE: '/nonexistent/ca.pem' }, 'OTEL_EXPORTER_OTLP_CERTIFICATE', 'readable PEM file'],
    [{ INFEROMETER_OTLP_PRESET: 'datadog' }, 'DD_API_KEY', 'visible ASCII'],
    [{ INFEROMETER_OTLP_PRESET: 'newrelic' }, 'NEW_RELIC_LICENSE_KEY', 'visible ASCII'],
    [{ INFEROMETER_OTLP_PRESET: 'honeycomb' }, 'INFEROMETER_OTLP_PRESET', 'datadog, newrelic, cloudwatch, collector'],
    [{ NEW_RELIC_LICENSE_KEY: 'l', NEW_RELIC_REGION: 'mars' }, 'NEW_RELIC_REGION', 'us, eu, fedramp'],
    [{ DD_API_KEY: 'k', DD_SITE: 'https://datadoghq.com' }, 'DD_SITE', 'datadoghq.eu'],
    [{ DD_API_KEY: 'k', NEW_RELIC_LICENSE_KEY: 'l' }, 'INFEROMETER_OTLP_PRESET', 'datadog, newrelic, cloudwatch, collector'],
    [{ DD_API_KEY: 'k\u0001' }, 'DD_API_KEY', 'RFC 9110 section 5.5'],
    [{ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'sometimes' }, 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', 'cumulative, delta, lowmemory'],
    [{ OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'summary' }, 'OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION', 'explicit_bucket_histogram, base2_exponential_bucket_histogram'],
    [{ OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' }, 'OTEL_EXPORTER_OTLP_COMPRESSION', 'none, gzip'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT', 'http:// or https://'],
    [{ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'not a url' }, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'http:// or https://'],
    [{ OTEL_EXPORTER_OTLP_TIMEOUT: '10s' }, 'OTEL_EXPORTER_OTLP_TIMEOUT', 'a whole number from 1 to 2147483647'],
    [{ OTEL_EXPORTER_OTLP_HEADERS: 'api-key' }, 'OTEL_EXPORTER_OTLP_HEADERS', 'header=value'],
    [{ INFEROMETER_OTLP_MAX_PAYLOAD_BYTES: '10' }, 'INFEROMETER_OTLP_MAX_PAYLOAD_BYTES', 'a whole number from 1024'],
  ])('fails at start on %j, naming the variable', (env, variable, accepted) => {
    const error = blame(() => resolveOtlpConfig(env));
    expect(error.variable).toBe(variable);
    expect(error.accepted).toContain(accepted);
    expect(error.message).toContain(variable);
  });

  it('accepts a vendor key given as a standard header instead of the vendor variable', () => {
    expect(resolveOtlpConfig({ INFEROMETER_OTLP_PRESET: 'datadog', OTEL_EXPORTER_OTLP_HEADERS: 'DD-API-KEY=k' }).headers).toEqual({ 'DD-API-KEY': 'k' });
  });
});

describe('header lists', () => {
  it('parses k=v pairs with URL-encoded values and skips empty entries', () => {
    expect(readHeaderList({ H: ' a=1 , b=x%3Dy%2Cz ,, ' }, 'H')).toEqual({ a: '1', b: 'x=y,z' });
    expect(readHeaderList({}, 'H')).toBeUndefined();
  });

  it('names the variable for a bad encoding', () => {
    expect(blame(() => readHeaderList({ H: 'a=%E0%A4%A' }, 'H')).variable).toBe('H');
    expect(blame(() => readHeaderList({ H: 'a=x%0Ay' }, 'H')).message).toContain('control character');
  });
});
