/**
 * Every variable start() reads, with garbage, each in a fresh process with
 * the variable in the REAL environment (not `start({ env })`), importing the
 * built package: what a user meets. Each must fail at start() with one
 * ConfigurationError naming that variable and what it accepts.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('../helpers/start-child.mjs', import.meta.url));

interface Outcome {
  ok: boolean;
  configurationError?: boolean;
  variable?: string;
  option?: string;
  accepted?: string;
  related?: string[];
  message?: string;
  exporters?: string[];
  targetInfo?: string;
}

/** A clean environment (nothing inherited but PATH), the pull endpoint on a free loopback port. */
async function startWith(env: Record<string, string>): Promise<Outcome> {
  const { stdout } = await run(process.execPath, [CHILD], {
    env: { PATH: process.env.PATH ?? '', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: '0', ...env },
    // A bound for a hung child, not a margin: five children start at once.
    timeout: 60_000,
    maxBuffer: 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines.at(-1)!) as Outcome;
}

const OTLP = { OTEL_METRICS_EXPORTER: 'otlp' };
const CONSOLE = { OTEL_METRICS_EXPORTER: 'console' };
const RW = { OTEL_METRICS_EXPORTER: 'prometheusremotewrite', INFEROMETER_REMOTE_WRITE_URL: 'http://127.0.0.1:9/api/v1/write' };
const RW_AUTH = { ...RW, INFEROMETER_REMOTE_WRITE_USERNAME: 'tenant', INFEROMETER_REMOTE_WRITE_PASSWORD: 'pw' };

/** [variable blamed, its garbage value, other variables the case needs, a secret that must not be echoed]. */
const CASES: [string, string, Record<string, string>, string?][] = [
  ['OTEL_METRICS_EXPORTER', 'zipkin', {}],
  ['OTEL_METRICS_EXPORTER', ',,', {}],
  ['OTEL_METRICS_EXPORTER', 'prometheus\u0001', {}],
  ['OTEL_EXPORTER_PROMETHEUS_PORT', '-1', {}],
  ['OTEL_EXPORTER_PROMETHEUS_PORT', 'NaN', {}],
  ['OTEL_EXPORTER_PROMETHEUS_PORT', '99999999999999999999999', {}],
  ['OTEL_EXPORTER_PROMETHEUS_PORT', '94.64', {}],
  ['OTEL_EXPORTER_PROMETHEUS_HOST', 'not a host', {}],
  ['OTEL_EXPORTER_PROMETHEUS_HOST', 'localhost\u0007', {}],
  ['OTEL_SERVICE_NAME', 'iris\u001b[31m', {}],
  ['OTEL_RESOURCE_ATTRIBUTES', 'service.instance.id=pod-7,team', {}],
  ['OTEL_RESOURCE_ATTRIBUTES', 'team=r%26d%', {}],
  ['OTEL_RESOURCE_ATTRIBUTES', '=orphan', {}],
  ['OTEL_RESOURCE_ATTRIBUTES', 'a=b=c', {}],
  ['OTEL_RESOURCE_ATTRIBUTES', 'team=ml%0Aops', {}],
  ['OTEL_RESOURCE_ATTRIBUTES', `team=${'x'.repeat(300)}`, {}],
  ['OTEL_METRIC_EXPORT_INTERVAL', '0', CONSOLE],
  ['OTEL_METRIC_EXPORT_INTERVAL', 'soon', CONSOLE],
  ['OTEL_METRIC_EXPORT_TIMEOUT', '-5', CONSOLE],
  ['OTEL_METRIC_EXPORT_TIMEOUT', '90000', CONSOLE],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', OTLP],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://collector\u0001:4318', OTLP],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://user:secret@collector:4318', OTLP, 'secret'],
  ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'not a url', OTLP],
  ['OTEL_EXPORTER_OTLP_HEADERS', 'api-key', OTLP],
  ['OTEL_EXPORTER_OTLP_HEADERS', 'api-key=s3cr%0Aet', OTLP, 's3cr'],
  ['OTEL_EXPORTER_OTLP_HEADERS', 'bad key=1', OTLP],
  ['OTEL_EXPORTER_OTLP_METRICS_HEADERS', 'x-team=%ZZ', OTLP],
  ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpcs', OTLP],
  ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', { ...OTLP, INFEROMETER_OTLP_PRESET: 'datadog', DD_API_KEY: 'k' }],
  ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'http', OTLP],
  ['OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', 'sometimes', OTLP],
  ['OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION', 'buckets', OTLP],
  ['OTEL_EXPORTER_OTLP_COMPRESSION', 'zstd', OTLP],
  ['OTEL_EXPORTER_OTLP_METRICS_COMPRESSION', 'br', OTLP],
  ['OTEL_EXPORTER_OTLP_TIMEOUT', '-1', OTLP],
  ['OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', 'NaN', OTLP],
  ['INFEROMETER_OTLP_MAX_PAYLOAD_BYTES', '10', OTLP],
  ['INFEROMETER_OTLP_PRESET', 'splunk', OTLP],
  ['DD_API_KEY', 'abc\ndef', OTLP, 'abc'],
  ['DD_API_KEY', 'abc\u0001def', OTLP, 'abc'],
  ['DD_SITE', 'datadog hq', { ...OTLP, DD_API_KEY: 'k' }],
  ['NEW_RELIC_LICENSE_KEY', 'lic\r\nense', OTLP, 'lic'],
  ['NEW_RELIC_REGION', 'mars', { ...OTLP, NEW_RELIC_LICENSE_KEY: 'k' }],
  ['INFEROMETER_REMOTE_WRITE_URL', 'vm:8428', { ...RW }],
  ['INFEROMETER_REMOTE_WRITE_URL', 'http://u:hunter2@vm/w', { ...RW }, 'hunter2'],
  ['INFEROMETER_REMOTE_WRITE_USERNAME', 'tenant', RW],
  ['INFEROMETER_REMOTE_WRITE_PASSWORD', 'hunter2', RW, 'hunter2'],
  ['INFEROMETER_REMOTE_WRITE_USERNAME', 'ten:ant', { ...RW, INFEROMETER_REMOTE_WRITE_PASSWORD: 'pw' }],
  ['INFEROMETER_REMOTE_WRITE_PASSWORD', 'hunt\u0001er2', { ...RW, INFEROMETER_REMOTE_WRITE_USERNAME: 'u' }, 'hunt'],
  ['INFEROMETER_REMOTE_WRITE_BEARER_TOKEN', 'qX7tok\nen', RW, 'qX7tok'],
  ['INFEROMETER_REMOTE_WRITE_BEARER_TOKEN', 'qX7tok\u0001en', RW, 'qX7tok'],
  ['INFEROMETER_REMOTE_WRITE_BEARER_TOKEN', 't', RW_AUTH],
  ['INFEROMETER_REMOTE_WRITE_HEADERS', 'tenant', RW],
  ['INFEROMETER_REMOTE_WRITE_HEADERS', 'Content-Type=text/plain', RW],
  ['INFEROMETER_REMOTE_WRITE_HEADERS', 'X-Scope-OrgID=ml%0D%0Aevil', RW],
  ['INFEROMETER_REMOTE_WRITE_MAX_QUEUE_SAMPLES', '0', RW],
  ['INFEROMETER_REMOTE_WRITE_MAX_QUEUE_BYTES', '100', RW],
  ['INFEROMETER_REMOTE_WRITE_MAX_SAMPLES_PER_REQUEST', '-1', RW],
  ['INFEROMETER_REMOTE_WRITE_TIMEOUT', 'NaN', RW],
  ['INFEROMETER_REMOTE_WRITE_MIN_BACKOFF', '0', RW],
  ['INFEROMETER_REMOTE_WRITE_MAX_BACKOFF', '99999999999', RW],
  ['INFEROMETER_REMOTE_WRITE_MAX_BACKOFF', '10', { ...RW, INFEROMETER_REMOTE_WRITE_MIN_BACKOFF: '100' }],
  ['INFEROMETER_REMOTE_WRITE_FLUSH_TIMEOUT', '-1', RW],
  ['INFEROMETER_MAX_ATTRIBUTE_VALUES', '0', {}],
  ['INFEROMETER_MAX_SERIES_PER_METRIC', 'lots', {}],
  ['INFEROMETER_MAX_ATTRIBUTE_LENGTH', '-3', {}],
  ['INFEROMETER_ATTRIBUTE_VALUE_CAPS', 'region:30', {}],
  ['INFEROMETER_ATTRIBUTE_VALUE_CAPS', 'region=0', {}],
  ['INFEROMETER_ATTRIBUTE_VALUE_CAPS', 'region=99999999', {}],
  ['INFEROMETER_UNBOUNDED_KEY_PATTERNS', 'order_(', {}],
  ['INFEROMETER_UNBOUNDED_KEY_PATTERNS', 'a'.repeat(70_000), {}],
  ['INFEROMETER_UNBOUNDED_KEY_PATTERNS', Array.from({ length: 65 }, (_, i) => `k${i}`).join(','), {}],
  ['INFEROMETER_UNBOUNDED_KEY_PATTERNS', 'order\u0001', {}],
];

describe('start() with garbage in the real environment, one fresh process per case', () => {
  it('starts with the same harness when nothing is wrong, and keeps every valid resource attribute', async () => {
    const outcome = await startWith({ OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=pod-7,team=r%26d' });
    expect(outcome).toMatchObject({ ok: true, exporters: ['prometheus'] });
    expect(outcome.targetInfo).toContain('service_instance_id="pod-7"');
    expect(outcome.targetInfo).toContain('team="r&d"');
  });

  // Independent processes: a few at once (vitest's maxConcurrency), which
  // the machine's other core can run while one loads the package.
  const cases = CASES.map(([variable, value, extra, secret]) => ({ variable, value, extra, secret, shown: JSON.stringify(value).slice(0, 60) }));
  it.concurrent.for(cases)(
    '$variable=$shown fails at start naming the variable',
    { timeout: 90_000 },
    async ({ variable, value, extra, secret }, { expect }) => {
    const outcome = await startWith({ ...extra, [variable]: value });
    expect(outcome.ok).toBe(false);
    expect(outcome.configurationError).toBe(true);
    expect(outcome.variable).toBe(variable);
    expect(outcome.option).toBeUndefined();
    expect(outcome.accepted?.length).toBeGreaterThan(5);
    expect(outcome.message).toContain(variable);
    // Cut to a readable length: a 70,000-character value is not repeated.
    expect(outcome.message!.length).toBeLessThan(2_000);
    if (secret !== undefined) expect(outcome.message).not.toContain(secret);
    },
  );

  it('names both variables for a username without a password and the other way round', async () => {
    const username = await startWith({ ...RW, INFEROMETER_REMOTE_WRITE_USERNAME: 'tenant' });
    expect(username.related).toEqual(['INFEROMETER_REMOTE_WRITE_PASSWORD']);
    expect(username.message).toContain('INFEROMETER_REMOTE_WRITE_PASSWORD');
    const password = await startWith({ ...RW, INFEROMETER_REMOTE_WRITE_PASSWORD: 'pw' });
    expect(password.variable).toBe('INFEROMETER_REMOTE_WRITE_PASSWORD');
    expect(password.related).toEqual(['INFEROMETER_REMOTE_WRITE_USERNAME']);
  });

  it('names the accepted form of OTEL_RESOURCE_ATTRIBUTES with the specification', async () => {
    const outcome = await startWith({ OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=pod-7,team' });
    expect(outcome.accepted).toContain('key=value');
    expect(outcome.accepted).toContain('percent-encoded');
    expect(outcome.accepted).toContain('https://opentelemetry.io/docs/specs/otel/resource/sdk/#specifying-resource-information-via-an-environment-variable');
  });
});
