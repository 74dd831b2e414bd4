import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * No import cycle in packages/node/src: each rule has one home, and a
 * module that imports back from its importer (options.ts and exporter.ts
 * took `StartOptions` from start.ts, which imports them through the
 * exporter registry) makes the order of evaluation, and what a newcomer
 * must read to follow one file, depend on the whole loop. Type-only and
 * dynamic imports count too: they tie the files together just the same.
 * The graph comes from TypeScript's own pre-processor (`ts.preProcessFile`:
 * imports, re-exports, `import()`), so comments and strings are not read
 * as imports.
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The relative imports of a file, resolved to files under src (`./x.js` is `./x.ts`, `./x` may be `./x/index.ts`). */
function importsOf(file: string, files: ReadonlySet<string>): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const found: string[] = [];
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const base = resolve(dirname(file), fileName);
    const stem = base.replace(/\.(c|m)?js$/, '');
    const target = [`${stem}.ts`, `${stem}.mts`, `${stem}.cts`, join(base, 'index.ts')].find((candidate) => files.has(candidate));
    if (target === undefined) throw new Error(`${relative(SRC, file)}: cannot resolve ${fileName}`);
    found.push(target);
  }
  return found;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('packages/node/src import graph', () => {
  const files = sourceFiles(SRC);
  const known = new Set(files);
  const graph = new Map(files.map((file) => [file, importsOf(file, known)]));

  it('reads the whole source tree', () => {
    // A walker that found nothing would pass whatever the graph.
    expect(files.length).toBeGreaterThan(40);
    expect(graph.get(join(SRC, 'index.ts'))?.length).toBeGreaterThan(10);
  });

  it('finds a cycle when there is one', () => {
    const loop = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', ['a']],
    ]);
    expect(cycles(loop)).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('has no import cycle', () => {
    const found = cycles(graph).map((component) => component.map((file) => relative(SRC, file)));
    expect(found).toEqual([]);
  });
});
