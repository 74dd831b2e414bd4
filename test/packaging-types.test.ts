import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { packAll, PACKAGE_NAMES, type PackageName, ROOT, rootDevRange, runNpm } from './support/pack.js';

// The packed packages' types, checked the way users compile against them:
// from a consumer project that installed the tarballs, under each
// moduleResolution TypeScript offers for Node (node10 with CommonJS, the
// default of most NestJS apps; node16; nodenext; bundler), with
// skipLibCheck false so every shipped .d.ts is checked too (ours and our
// dependencies' and peers'). TypeScript's own lib.*.d.ts are not shipped by
// any package: skipDefaultLibCheck leaves them out, a third of the time of a
// check with lib DOM. The modes are independent tsc processes: run at once.
// https://www.typescriptlang.org/docs/handbook/modules/theory.html#module-resolution-is-host-defined
// https://www.typescriptlang.org/tsconfig/#skipDefaultLibCheck

const TSC = join(ROOT, 'node_modules', 'typescript', 'lib', 'tsc.js');
const run = promisify(execFile);

let dir: string;

/** A file importing `packages`; `internal` adds the `@inferometer/core/internal` subpath (exports maps only). */
function consumerSource(internal: boolean, packages: readonly PackageName[]): string {
  const aliases = packages.map((name) => name.split('/')[1]!.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()));
  return [
    ...packages.map((name, i) => `import * as ${aliases[i]} from '${name}';`),
    ...(internal ? [`import * as coreInternal from '@inferometer/core/internal';`] : []),
    `import { instrument } from '@inferometer/core';`,
    `import { createPrometheusReader, start } from '@inferometer/node';`,
    '',
    `const predict = instrument((x: number): number => x * 2, { model: 'iris', version: '1' });`,
    `const doubled: number = predict(2);`,
    `export const used: unknown[] = [doubled, start, createPrometheusReader, ${[...aliases, ...(internal ? ['coreInternal'] : [])].join(', ')}];`,
    '',
  ].join('\n');
}

const WITHOUT_ONNXRUNTIME = PACKAGE_NAMES.filter((name) => name !== '@inferometer/onnxruntime');

const STRICT = { strict: true, skipLibCheck: false, skipDefaultLibCheck: true, noEmit: true, target: 'ES2022', lib: ['ES2023'], types: ['node'], esModuleInterop: true };

interface Mode {
  readonly moduleResolution: string;
  readonly module: string;
  /** The consumer's package.json "type". */
  readonly type: 'module' | 'commonjs';
  /** Source files: name -> whether it may import the exports-only subpath. */
  readonly files: Record<string, boolean>;
  /**
   * Also check the five packages but onnxruntime with the ES library alone
   * (none of them needs DOM types). Once, under nodenext: whether a package
   * names a DOM type does not depend on how its files were resolved, and each
   * program re-checks @types/node and the OpenTelemetry declarations (a
   * fifth of CI's CPU on this file).
   */
  readonly withoutDom?: boolean;
}

const MODES: Mode[] = [
  { moduleResolution: 'node10', module: 'commonjs', type: 'commonjs', files: { 'index.ts': false } },
  // .mts imports through the "import" condition (.d.ts), .cts through "require" (.d.cts).
  { moduleResolution: 'node16', module: 'node16', type: 'module', files: { 'index.mts': true, 'index.cts': true } },
  { moduleResolution: 'nodenext', module: 'nodenext', type: 'module', files: { 'index.mts': true, 'index.cts': true }, withoutDom: true },
  { moduleResolution: 'bundler', module: 'esnext', type: 'module', files: { 'index.ts': true } },
];

beforeAll(async () => {
  const { dir: packDir, tarballs } = await packAll();
  dir = packDir;
  const consumer = join(dir, 'consumer');
  mkdirSync(consumer);
  const dependencies: Record<string, string> = { '@types/node': rootDevRange('@types/node') };
  for (const name of PACKAGE_NAMES) dependencies[name] = `file:${tarballs[name].path}`;
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies }, null, 2));
  // Peers (the OpenTelemetry API and SDK, onnxruntime-node) are installed by
  // npm itself, as for a user; scripts are skipped: only types are needed.
  await runNpm(consumer, ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], 150_000);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('types of the packed packages', () => {
  for (const mode of MODES) {
    it.concurrent(`check under moduleResolution ${mode.moduleResolution} (module ${mode.module}, skipLibCheck false)`, async ({ expect }) => {
      const project = join(dir, 'consumer', mode.moduleResolution);
      mkdirSync(project, { recursive: true });
      writeFileSync(join(project, 'package.json'), JSON.stringify({ private: true, type: mode.type }));
      const config = (lib: string[], files: string[]) =>
        JSON.stringify({ compilerOptions: { ...STRICT, lib, module: mode.module, moduleResolution: mode.moduleResolution }, files }, null, 2);
      // Five packages with the ES library alone: none of them needs DOM types (see Mode.withoutDom).
      writeFileSync(join(project, 'tsconfig.json'), config(['ES2023'], Object.keys(mode.files)));
      // All six with DOM added: onnxruntime-common's own declarations (the
      // types of the onnxruntime-node peer) name WebGLTexture, ImageData and
      // other DOM types, so every consumer of onnxruntime-node that checks
      // its libraries needs "DOM" in lib, with or without Inferometer.
      const onnxFiles = Object.keys(mode.files).map((file) => `onnx-${file}`);
      writeFileSync(join(project, 'tsconfig.onnx.json'), config(['ES2023', 'DOM'], onnxFiles));
      for (const [file, internal] of Object.entries(mode.files)) {
        writeFileSync(join(project, file), consumerSource(internal, WITHOUT_ONNXRUNTIME));
        writeFileSync(join(project, `onnx-${file}`), consumerSource(internal, PACKAGE_NAMES));
      }
      for (const tsconfig of mode.withoutDom === true ? ['tsconfig.json', 'tsconfig.onnx.json'] : ['tsconfig.onnx.json']) {
        const result = await run(process.execPath, [TSC, '-p', join(project, tsconfig), '--pretty', 'false'], { cwd: project, encoding: 'utf8', timeout: 240_000 }).then(
          () => '',
          (err: { stdout?: string; message: string }) => err.stdout || err.message,
        );
        expect(result, tsconfig).toBe('');
      }
    }, 300_000);
  }

  it.concurrent('the check can fail: a wrong type in the consumer is reported', async ({ expect }) => {
    const project = join(dir, 'consumer', 'negative');
    mkdirSync(project, { recursive: true });
    // skipLibCheck on: the error looked for is in the consumer's own file,
    // and the libraries are checked by the modes above (a third of the
    // time of a full check, on CI's critical path).
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...STRICT, skipLibCheck: true, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['index.mts'] }));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
    writeFileSync(join(project, 'index.mts'), `import { instrument } from '@inferometer/core';\nexport const s: string = instrument((x: number) => x, { model: 'm' })(1);\n`);
    const failed = await run(process.execPath, [TSC, '-p', project, '--pretty', 'false'], { cwd: project, encoding: 'utf8', timeout: 240_000 }).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? '',
    );
    expect(failed).toMatch(/index\.mts\(2,14\): error TS2322/);
  }, 300_000);
});
