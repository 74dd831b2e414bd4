import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { describe, expect, it } from 'vitest';

// The built packages, loaded the way users load them: `require` from
// CommonJS (NestJS and many services) and `import` from ESM, each in a
// fresh Node process, through the packages' `exports` maps.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['@inferometer/core', '@inferometer/node', '@inferometer/exporter-remote-write', '@inferometer/onnxruntime', '@inferometer/drift', '@inferometer/ops'] as const;

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

function exportsVia(system: 'cjs' | 'esm', name: string): string[] {
  const script =
    system === 'cjs'
      ? `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(name)})).sort()))`
      : `import(${JSON.stringify(name)}).then((m) => console.log(JSON.stringify(Object.keys(m).sort())))`;
  return JSON.parse(node(['--input-type=' + (system === 'cjs' ? 'commonjs' : 'module'), '-e', script])) as string[];
}

describe('both module systems', () => {
  for (const name of PACKAGES) {
    it(`${name}: require() and import give the same public API`, () => {
      const cjs = exportsVia('cjs', name);
      const esm = exportsVia('esm', name);
      expect(cjs.length).toBeGreaterThan(3);
      expect(cjs).toEqual(esm.filter((key) => key !== 'default' && key !== 'module.exports'));
    });
  }

  it('a CommonJS service instruments a function and serves it on /metrics', async () => {
    const script = `
      const { instrument } = require('@inferometer/core');
      const { start } = require('@inferometer/node');
      (async () => {
        const telemetry = await start({ prometheus: { host: '127.0.0.1', port: 0 } });
        const predict = instrument((x) => x * 2, { model: 'cjs-model', version: '1' });
        predict(1); predict(2);
        const body = await (await fetch(telemetry.metricsUrl)).text();
        await telemetry.shutdown();
        console.log(body.split('\\n').find((l) => l.startsWith('ml_predictions_total')));
      })();`;
    expect(node(['--input-type=commonjs', '-e', script]).trim()).toBe(
      'ml_predictions_total{model_name="cjs-model",model_version="1",status="success"} 2',
    );
  });

  it('an ES module service does the same', async () => {
    const script = `
      import { instrument } from '@inferometer/core';
      import { start } from '@inferometer/node';
      const telemetry = await start({ prometheus: { host: '127.0.0.1', port: 0 } });
      const predict = instrument(async (x) => x * 2, { model: 'esm-model', version: '1' });
      await predict(1);
      const body = await (await fetch(telemetry.metricsUrl)).text();
      await telemetry.shutdown();
      console.log(body.split('\\n').find((l) => l.startsWith('ml_predictions_total')));`;
    expect(node(['--input-type=module', '-e', script]).trim()).toBe(
      'ml_predictions_total{model_name="esm-model",model_version="1",status="success"} 1',
    );
  });
});

describe('publishing', () => {
  for (const name of PACKAGES) {
    it(`${name} is publint clean (strict)`, async () => {
      const { messages } = await publint({ pkgDir: join(root, 'packages', name.split('/')[1]!), strict: true });
      expect(messages).toEqual([]);
    });
  }
});
