import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The Markdown a reader of the repository meets: the root README, the guides
 * in docs/, every package's and example's README, and the ops runbook that
 * the generated alerts link to. Shared by the snippet test (every code block
 * runs or type-checks) and the link test (every relative link resolves).
 */
export function markdownFiles(root: string): string[] {
  const found = [join(root, 'README.md')];
  for (const name of readdirSync(join(root, 'docs')).sort()) {
    if (name.endsWith('.md')) found.push(join(root, 'docs', name));
  }
  for (const group of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      for (const file of ['README.md', 'RUNBOOK.md']) {
        const path = join(root, group, name, file);
        if (existsSync(path)) found.push(path);
      }
    }
  }
  return found;
}

export interface Block {
  /** The file, relative to the repository root. */
  readme: string;
  line: number;
  lang: string;
  info: string;
  code: string;
  prelude: string;
}

/**
 * Fenced blocks (``` only, as the READMEs use), with the line they start on.
 * A block may be preceded by an HTML comment `<!-- prelude: ... -->` with
 * declarations it assumes; that text is returned as `prelude`.
 */
export function extractBlocks(root: string, path: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    let prelude = '';
    const previous = lines[start - 1] ?? '';
    const comment = /^<!--\s*prelude:\s*([\s\S]*?)\s*-->$/.exec(previous);
    if (comment !== null) prelude = comment[1]!;
    blocks.push({ readme: relative(root, path), line: start + 1, lang: open[1]!.toLowerCase(), info: open[2]!, code: body.join('\n'), prelude });
  }
  return blocks;
}

/** The lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, index) => {
    if (line.startsWith('```')) {
      fenced = !fenced;
      return;
    }
    if (!fenced) out.push({ line: index + 1, text: line });
  });
  return out;
}

/**
 * The anchor GitHub gives a heading (github-slugger, which GitHub's renderer
 * uses): the rendered text lower-cased, everything but letters, marks,
 * numbers, `_`, `-` and spaces removed, each space made a hyphen; a repeated
 * slug gets `-1`, `-2`, ... (done by {@link anchorsOf}).
 */
export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/`([^`]*)`/g, '$1') // inline code: its text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/(\*\*|__|\*)/g, ''); // emphasis markers
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its headings' slugs and explicit `<a id|name="...">`. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading !== null) {
      const slug = githubSlug(heading[1]!);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  }
  return anchors;
}

export interface Link {
  line: number;
  target: string;
}

/**
 * The link targets of a Markdown file outside code (fenced blocks and inline
 * code spans): inline links and images `[text](target "title")`, and
 * reference definitions `[label]: target`.
 */
export function linksOf(text: string): Link[] {
  const links: Link[] = [];
  for (const { line, text: raw } of proseLines(text)) {
    const prose = raw.replace(/`[^`]*`/g, '``');
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(prose);
    if (definition !== null) links.push({ line, target: definition[1]! });
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line, target: match[1]! });
  }
  return links;
}
