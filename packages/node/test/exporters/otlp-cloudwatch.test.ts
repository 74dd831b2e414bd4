/**
 * The cloudwatch preset's optional peer dependencies, in fresh processes
 * importing the built package: without them start() fails with a
 * ConfigurationError naming the preset's variable and the packages to
 * install; with them (the same harness, nothing hidden) it starts. The
 * signing itself is checked against a SigV4-verifying stand-in in
 * test/e2e/cloudwatch-otlp.test.ts.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SIGV4_PACKAGES } from '../../src/config/otlp-presets.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('../helpers/start-child.mjs', import.meta.url));
const HIDE = fileURLToPath(new URL('../helpers/hide-packages.mjs', import.meta.url));

interface Outcome {
  ok: boolean;
  configurationError?: boolean;
  variable?: string;
  option?: string;
  accepted?: string;
  related?: string[];
  message?: string;
  exporters?: string[];
}

async function startWith(hidden: readonly string[]): Promise<Outcome> {
  const { stdout } = await run(process.execPath, ['--import', HIDE, CHILD], {
    env: {
      PATH: process.env.PATH ?? '',
      HIDE_PACKAGES: hidden.join(','),
      OTEL_METRICS_EXPORTER: 'otlp',
      INFEROMETER_OTLP_PRESET: 'cloudwatch',
      AWS_REGION: 'eu-west-1',
      // Nothing leaves the machine: no credentials and no instance metadata
      // lookups, so the flush at shutdown fails at signing, before any request.
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
      INFEROMETER_RUNTIME_METRICS: 'false',
    },
    timeout: 20_000,
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome;
}

describe('the cloudwatch preset without its optional peer dependencies', () => {
  it.each([[SIGV4_PACKAGES], [[SIGV4_PACKAGES[0]]], [[SIGV4_PACKAGES[1]]]])('fails at start naming INFEROMETER_OTLP_PRESET and both packages to install when %j cannot be found', async (hidden) => {
    const outcome = await startWith(hidden);
    expect(outcome).toMatchObject({ ok: false, configurationError: true, variable: 'INFEROMETER_OTLP_PRESET', related: [...SIGV4_PACKAGES] });
    expect(outcome.message).toContain('npm install @aws-sdk/credential-providers @smithy/signature-v4');
    expect(outcome.message).toContain(`Cannot find package '${hidden[0]}'`);
    expect(outcome.accepted).toContain('@aws-sdk/credential-providers and @smithy/signature-v4');
  });

  it('starts with them installed (the same harness, nothing hidden)', async () => {
    expect(await startWith([])).toMatchObject({ ok: true, exporters: ['otlp'] });
  });
});
