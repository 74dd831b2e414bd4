import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { markdownFiles, extractBlocks, type Block } from './support/markdown.js';

// Every code block of every README and guide (docs/*.md; the list is
// markdownFiles() in support/markdown.ts) is what a user copies first, so each one
// is checked the way the user would run it:
// - ```ts / ```typescript blocks are type-checked together under `strict`
//   against the built packages (their published `.d.ts`), as ES modules;
// - ```sh blocks whose info string says `test` (```sh test) are run from the
//   repository root and must exit 0; other shell blocks are shown, not run
//   (they start long-running servers or need credentials), and each of those
//   must still parse (`bash -n`).
// A block may be preceded by an HTML comment `<!-- prelude: ... -->` with
// declarations it assumes (`declare const app: Express;`), so the README
// shows only what the reader needs; the prelude is compiled with the block.

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The command-line tools the packages install, by name, and their built file. */
const CLIS = { inferometer: 'packages/ops/dist/cli.js', 'inferometer-profile': 'packages/drift/dist/cli.js' } as const;
const work = join(root, 'node_modules', '.readme-snippets');

const readmes = (): string[] => markdownFiles(root);

const all = readmes().flatMap((path) => extractBlocks(root, path, readFileSync(path, 'utf8')));
const tsBlocks = all.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
const shBlocks = all.filter((b) => b.lang === 'sh' || b.lang === 'bash' || b.lang === 'shell');

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('README snippets', () => {
  it('finds the READMEs and their blocks', () => {
    const found = readmes().map((path) => relative(root, path));
    expect(found).toContain('README.md');
    // The guides hold most of the snippets the root README used to.
    expect(found.filter((path) => path.startsWith('docs/')).length).toBeGreaterThanOrEqual(5);
    expect(all.filter((b) => b.readme.startsWith('docs/') && (b.lang === 'ts' || b.lang === 'sh')).length).toBeGreaterThan(5);
    expect(tsBlocks.length).toBeGreaterThan(3);
    expect(shBlocks.length).toBeGreaterThan(3);
  });

  it('every TypeScript block type-checks under strict against the built packages', () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }));
    const files = new Map<string, Block>();
    tsBlocks.forEach((block, index) => {
      const name = join(work, `${block.readme.replace(/[^\w]+/g, '_')}_L${block.line}_${index}.ts`);
      // `export {}` keeps each block its own module even when it has no
      // import, so two blocks may declare the same names.
      writeFileSync(name, `${block.prelude}\n${block.code}\nexport {};\n`);
      files.set(name, block);
    });
    const program = ts.createProgram([...files.keys()], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      skipLibCheck: true,
      esModuleInterop: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const block = d.file === undefined ? undefined : files.get(d.file.fileName);
      if (block === undefined || d.file === undefined || d.start === undefined) return message;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      const preludeLines = block.prelude === '' ? 1 : block.prelude.split('\n').length;
      return `${block.readme}:${block.line + 1 + line - preludeLines}: ${message}`;
    });
    expect(problems).toEqual([]);
  });

  it('every shell block parses', () => {
    const bad: string[] = [];
    for (const block of shBlocks) {
      try {
        execFileSync('bash', ['-n'], { input: block.code, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (error) {
        bad.push(`${block.readme}:${block.line}: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  const runnable = shBlocks.filter((b) => /\btest\b/.test(b.info));
  it('has runnable shell blocks', () => {
    expect(runnable.length).toBeGreaterThan(0);
  });
  for (const block of runnable) {
    it(`runs ${block.readme}:${block.line}`, async () => {
      const dir = join(work, `sh-${block.readme.replace(/[^\w]+/g, '_')}-${block.line}`);
      mkdirSync(dir, { recursive: true });
      // Run in a scratch folder with the packages' CLIs on PATH, the way a
      // user runs them after installing; files the block writes land here.
      // npm links a workspace's bin only if its file exists at install time,
      // and the CLIs are built after `npm ci`, so the test links them itself.
      const bin = join(work, 'bin');
      mkdirSync(bin, { recursive: true });
      for (const [name, cli] of Object.entries(CLIS)) {
        writeFileSync(join(bin, name), `#!/bin/sh\nexec "${process.execPath}" "${join(root, cli)}" "$@"\n`, { mode: 0o755 });
      }
      // Asynchronous: back-to-back synchronous runs on a loaded machine kept
      // this worker from answering vitest's RPC for over a minute, which
      // vitest reports as an unhandled "Timeout calling onTaskUpdate".
      const run = promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block.code], {
        cwd: dir,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, INFEROMETER_REPO: root },
        timeout: 60_000,
      });
      run.child.stdin?.end(); // nothing to read, as with stdio 'ignore'
      await run;
    });
  }
});
