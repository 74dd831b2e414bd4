import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionModule } from '../tsup.base.js';
import { packAll, PUBLISHED, type PackageName, type Tarball } from './support/pack.js';

// The built packages, loaded the way users load them: `require` from
// CommonJS (NestJS and many services) and `import` from ESM, each in a
// fresh Node process, through the packages' `exports` maps.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['@inferometer/core', '@inferometer/node', '@inferometer/exporter-remote-write', '@inferometer/onnxruntime', '@inferometer/drift', '@inferometer/mlflow', '@inferometer/ops'] as const;

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

describe('tarballs', () => {
  let packed: { dir: string; tarballs: Record<PackageName, Tarball> };
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  const manifest = (name: PackageName) =>
    JSON.parse(readFileSync(join(root, PUBLISHED[name], 'package.json'), 'utf8')) as {
      version: string;
      license: string;
      engines: { node: string };
      files: string[];
      dependencies?: Record<string, string>;
    };

  beforeAll(async () => {
    packed = await packAll();
  }, 120_000);
  afterAll(() => rmSync(packed.dir, { recursive: true, force: true }));

  it('the root LICENSE is the Apache License 2.0, whole', () => {
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(license).toContain('APPENDIX: How to apply the Apache License to your work.');
  });

  for (const name of Object.keys(PUBLISHED) as PackageName[]) {
    it(`${name}: npm pack ships LICENSE (the root's), README.md, both module systems and their types, and no tests`, () => {
      const { files, path } = packed.tarballs[name];
      const entries = name === '@inferometer/core' ? ['index', 'internal'] : ['index'];
      expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', ...entries.flatMap((e) => [`dist/${e}.js`, `dist/${e}.cjs`, `dist/${e}.d.ts`, `dist/${e}.d.cts`])]));
      expect(files.filter((file) => file.startsWith('test/') || file.endsWith('.tsbuildinfo') || file.startsWith('.tsc/'))).toEqual([]);
      expect(execFileSync('tar', ['-xOzf', path, 'package/LICENSE'], { encoding: 'utf8' })).toBe(license);
    });

    it(`${name}: Apache-2.0, Node >=22.15.0, README.md and LICENSE listed in files`, () => {
      const pkg = manifest(name);
      expect(pkg.license).toBe('Apache-2.0');
      expect(pkg.engines.node).toBe('>=22.15.0');
      expect(pkg.files).toEqual(expect.arrayContaining(['README.md', 'LICENSE']));
    });

    it(`${name}: src/version.ts is generated from package.json and sibling packages are pinned to their versions`, () => {
      const pkg = manifest(name);
      expect(readFileSync(join(root, PUBLISHED[name], 'src', 'version.ts'), 'utf8')).toBe(versionModule({ name, version: pkg.version }));
      for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
        if (dep in PUBLISHED) expect(range, dep).toBe(manifest(dep as PackageName).version);
      }
    });
  }

  it('no source file types a package version by hand', () => {
    const hits = execFileSync('git', ['grep', '-nE', `['"]${'0\\.1\\.0'}['"]`, '--', 'packages/*/src/*.ts', 'packages/*/src/**/*.ts'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    // The remote-write protocol's own version header is 0.1.0 too: a protocol version, not ours.
    expect(hits.filter((line) => !line.includes('/src/version.ts:') && !line.includes("'X-Prometheus-Remote-Write-Version'"))).toEqual([]);
  });

  it('every workspace and the root require Node >=22.15.0', () => {
    const manifests = ['package.json', ...execFileSync('git', ['ls-files', 'packages/*/package.json', 'examples/*/package.json'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean)];
    expect(manifests.length).toBeGreaterThanOrEqual(8);
    for (const file of manifests) {
      const pkg = JSON.parse(readFileSync(join(root, file), 'utf8')) as { engines?: { node?: string } };
      expect(pkg.engines?.node, file).toBe('>=22.15.0');
    }
  });
});
