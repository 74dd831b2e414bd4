import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { anchorsOf, githubSlug, linksOf, markdownFiles } from './support/markdown.js';

// The documentation a reader meets holds together: every relative link in
// the README, the guides in docs/ and the packages' and examples' READMEs
// reaches a file that exists and, for `file.md#anchor`, a heading that
// exists (anchors as GitHub renders them); and `npm run docs` builds the API
// reference with TypeDoc, whose warnings (a broken {@link}, a public type
// that references an unexported one) are errors (typedoc.config.mjs).

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Problems with the relative links of one Markdown file, as `file:line: target: why`. */
function brokenLinks(path: string, text: string, readTarget: (file: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const { line, target } of linksOf(text)) {
    // Absolute URLs and mail are someone else's; only the repository's own links are checked.
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const at = `${relative(root, path)}:${line}: ${target}`;
    const hash = target.indexOf('#');
    const file = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    // GitHub resolves `/x` from the repository root.
    const resolved = file === '' ? path : file.startsWith('/') ? join(root, file) : resolve(dirname(path), file);
    if (!resolved.startsWith(root)) {
      problems.push(`${at}: leaves the repository`);
      continue;
    }
    const content = readTarget(resolved);
    if (content === undefined) {
      problems.push(`${at}: no such file or directory`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (resolved.endsWith('.md')) {
      if (!anchorsOf(content).has(anchor)) problems.push(`${at}: no heading with anchor #${anchor} in ${relative(root, resolved)}`);
    } else if (!/^L\d+(-L\d+)?$/.test(anchor)) {
      // In a source file GitHub offers only line anchors.
      problems.push(`${at}: #${anchor} is not a line anchor (#L12 or #L12-L20)`);
    }
  }
  return problems;
}

/** A file's text, '' for a directory (it exists, GitHub lists it), undefined if absent. */
function readFromDisk(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return statSync(file).isDirectory() ? '' : readFileSync(file, 'utf8');
}

describe('Markdown links', () => {
  const files = markdownFiles(root);

  it('covers the README, every guide in docs/ and every package README', () => {
    const found = files.map((path) => relative(root, path));
    expect(found).toContain('README.md');
    for (const name of readdirSync(join(root, 'docs')).filter((n) => n.endsWith('.md'))) expect(found).toContain(`docs/${name}`);
    for (const dir of readdirSync(join(root, 'packages'))) expect(found).toContain(`packages/${dir}/README.md`);
  });

  it('every relative link reaches an existing file, and every #anchor an existing heading', () => {
    const problems = files.flatMap((path) => brokenLinks(path, readFileSync(path, 'utf8'), readFromDisk));
    expect(problems).toEqual([]);
  });

  it('the root README links every package README and every guide', () => {
    const targets = new Set(linksOf(readFileSync(join(root, 'README.md'), 'utf8')).map((l) => l.target));
    for (const dir of readdirSync(join(root, 'packages'))) expect(targets).toContain(`packages/${dir}/README.md`);
    for (const name of readdirSync(join(root, 'docs')).filter((n) => n.endsWith('.md'))) expect(targets).toContain(`docs/${name}`);
  });

  // The checker itself must be able to fail, or the test above checks nothing.
  it('finds a missing file, a missing anchor and a non-line anchor, and ignores links in code', () => {
    const page = join(root, 'docs', 'page.md');
    const text = [
      '# Title',
      '## Scale-out: `inferometer vmagent` and more',
      '## Twice',
      '## Twice',
      '[ok](#title) [ok](#scale-out-inferometer-vmagent-and-more) [ok](#twice-1) [ok](other.md#first)',
      '[gone](missing.md) [no anchor](other.md#second) [bad anchor](code.ts#function) [line](code.ts#L3) [ext](https://example.com/x)',
      '`[not a link](nowhere.md)`',
      '```md',
      '[not a link either](nowhere.md)',
      '```',
    ].join('\n');
    const disk: Record<string, string> = { [page]: text, [join(root, 'docs', 'other.md')]: '# First\n', [join(root, 'docs', 'code.ts')]: '' };
    const problems = brokenLinks(page, text, (file) => disk[file]);
    expect(problems).toEqual([
      'docs/page.md:6: missing.md: no such file or directory',
      'docs/page.md:6: other.md#second: no heading with anchor #second in docs/other.md',
      'docs/page.md:6: code.ts#function: #function is not a line anchor (#L12 or #L12-L20)',
    ]);
  });

  it('slugs headings as GitHub does', () => {
    expect(githubSlug('Push: OTLP (Collector, Datadog, New Relic, CloudWatch)')).toBe('push-otlp-collector-datadog-new-relic-cloudwatch');
    expect(githubSlug('`instrument()` and `@Instrument()`')).toBe('instrument-and-instrument');
    expect(githubSlug('Mounting `/metrics` on a server you already run')).toBe('mounting-metrics-on-a-server-you-already-run');
    expect(githubSlug('`node:cluster`: the primary serves everyone')).toBe('nodecluster-the-primary-serves-everyone');
  });
});

describe('API reference', () => {
  it('npm run docs builds it for every public entry point, with TypeDoc warnings as errors', async () => {
    // TypeDoc exits non-zero on any warning (treatWarningsAsErrors); its
    // output is in the failure message. Asynchronous, so this worker keeps
    // answering vitest while TypeDoc runs (a synchronous wait of a minute on
    // a loaded machine times out vitest's worker RPC).
    await promisify(execFile)('npm', ['run', 'docs', '--silent'], { cwd: root, timeout: 110_000 });
    const modules = readdirSync(join(root, 'docs', 'api', 'modules'));
    for (const dir of readdirSync(join(root, 'packages'))) {
      const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string; private?: boolean; exports: Record<string, unknown> };
      if (manifest.private === true) continue;
      for (const subpath of Object.keys(manifest.exports)) {
        if (subpath.endsWith('.json') || subpath === './internal' || subpath === './prometheus') continue;
        const specifier = subpath === '.' ? manifest.name : `${manifest.name}${subpath.slice(1)}`;
        // TypeDoc's file name for a module: every character outside [a-z0-9-] becomes `_`.
        expect(modules).toContain(`${specifier.toLowerCase().replace(/[^a-z0-9-]/g, '_')}.html`);
      }
    }
  });
});
