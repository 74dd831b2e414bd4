import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { Instrument } from '../src/decorator.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'fixtures', 'decorated-model.ts');
// A folder per process: CI runs this file on two Node.js lines at once.
const OUT = join(here, '..', 'node_modules', '.decorator-test', String(process.pid));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));
/** Each flavour compiled once per file (a full type-check takes seconds). */
const compiled = new Map<boolean, { out: Record<string, unknown>; emitted: string }>();

/**
 * Type-checks and compiles the fixture with the real TypeScript compiler in
 * one decorator flavour, runs it with Node, and returns what it printed.
 * The output goes under the package (git-ignored) so Node resolves the built
 * `@inferometer/core` from the workspace.
 */
function compileAndRun(experimentalDecorators: boolean): { out: Record<string, unknown>; emitted: string } {
  const done = compiled.get(experimentalDecorators);
  if (done !== undefined) return done;
  const outDir = join(OUT, experimentalDecorators ? 'legacy' : 'standard');
  mkdirSync(outDir, { recursive: true });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    experimentalDecorators,
    skipLibCheck: true,
    types: ['node'],
    rootDir: dirname(fixture),
    outDir,
  };
  const program = ts.createProgram([fixture], options);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics).toEqual([]);
  let emitted = '';
  program.emit(undefined, (fileName, text) => {
    if (fileName.endsWith('.js')) emitted = text;
  });
  const file = join(outDir, 'decorated-model.mjs');
  writeFileSync(file, emitted);
  const result = { out: JSON.parse(execFileSync(process.execPath, [file], { encoding: 'utf8' })) as Record<string, unknown>, emitted };
  compiled.set(experimentalDecorators, result);
  return result;
}

describe('@Instrument under both decorator flavours', () => {
  for (const [flavour, legacy] of [
    ['standard (TC39) decorators', false],
    ['experimentalDecorators (NestJS)', true],
  ] as const) {
    it(`type-checks, compiles and records under ${flavour}`, () => {
      const { out } = compileAndRun(legacy);
      expect(out).toMatchObject({ name: 'predict', length: 1, result: [0.1, 0.8, 0.1], sync: 'other-2.1.0', error: 'RangeError' });
      const points = out.points as Record<string, number>;
      expect(points['ml_predictions{"model_name":"iris","model_version":"2.1.0","status":"success"}']).toBe(1);
      expect(points['ml_predictions{"model_name":"iris","model_version":"2.1.0","status":"error"}']).toBe(1);
      expect(points['ml_predictions{"model_name":"iris","model_version":"2.2.0","status":"success"}']).toBe(1);
      expect(points['ml_prediction_errors{"model_name":"iris","model_version":"2.1.0","error_type":"RangeError"}']).toBe(1);
      expect(points['ml_prediction_confidence{"model_name":"iris","model_version":"2.1.0"}']).toBe(1);
      expect(points['ml_predictions{"model_name":"iris-rules","model_version":"1","status":"success"}']).toBe(1);
    });
  }

  it('the emitted legacy build really uses the legacy decorator call', () => {
    const legacy = compileAndRun(true).emitted;
    const standard = compileAndRun(false).emitted;
    expect(legacy).toContain('__decorate(');
    expect(standard).toContain('__esDecorate(');
  });

  it('refuses to decorate something that is not a method, naming what it got', () => {
    const decorator = Instrument({ model: 'iris' }) as unknown as (value: unknown, context: unknown) => unknown;
    expect(() => decorator(undefined, { kind: 'field', name: 'weights' })).toThrow(
      '@Instrument(options) decorates methods; it was applied to a field ("weights")',
    );
    const legacy = Instrument({ model: 'iris' }) as unknown as (t: unknown, k: unknown, d: unknown) => unknown;
    expect(() => legacy({}, 'weights', { value: 42 })).toThrow('@Instrument(options) decorates methods; "weights" is not a method');
  });

  it('checks options when the class is defined', () => {
    expect(() => Instrument({ model: '' })).toThrow('@Instrument(options): option "model" must be a string of 1 to 128 characters');
  });
});
