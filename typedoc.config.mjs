// @ts-check
// The API reference (`npm run docs`, written to docs/api/, not committed):
// TypeDoc over the public entry points of every published package, read from
// each package.json's `exports`, so a new subpath is documented without
// touching this file and one whose source is missing fails the build.
// Warnings are errors: a {@link} to something that is not documented, a
// public type that references one nobody exports, a broken relative link.
// https://typedoc.org/documents/Options.Validation.html
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = import.meta.dirname;

/** Subpaths that are for sibling packages only (`./internal`, core's `./prometheus`), or not code. */
const notPublic = (subpath) => subpath === './package.json' || subpath.endsWith('.json') || subpath === './internal' || subpath === './prometheus';

const entryPoints = [];
/** `@inferometer/x[/sub]` -> its source, for every export (internal ones included, for resolution). */
const paths = {};
/** Module name TypeDoc derives (`drift/src/catalog`) -> the import specifier (`@inferometer/drift/catalog`). */
const moduleNames = {};
for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  for (const subpath of Object.keys(manifest.exports ?? {})) {
    if (subpath === './package.json' || subpath.endsWith('.json')) continue;
    const file = subpath === '.' ? 'index' : subpath.slice(2);
    // A subpath is src/<name>.ts, or a folder's src/<name>/index.ts (core's ./prometheus).
    const flat = `packages/${dir}/src/${file}.ts`;
    const source = existsSync(join(root, flat)) ? flat : `packages/${dir}/src/${file}/index.ts`;
    if (!existsSync(join(root, source))) throw new Error(`${manifest.name} exports ${subpath}, but ${source} does not exist`);
    const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${file}`;
    paths[specifier] = [`./${source}`];
    if (manifest.private === true || notPublic(subpath)) continue;
    entryPoints.push(source);
    moduleNames[subpath === '.' ? `${dir}/src` : `${dir}/src/${file}`] = specifier;
  }
}

/** @type {Partial<import('typedoc').TypeDocOptions> & { inferometerModuleNames: Record<string, string> }} */
export default {
  name: 'Inferometer API',
  entryPointStrategy: 'resolve',
  entryPoints,
  tsconfig: 'tsconfig.docs.json',
  compilerOptions: { paths },
  out: 'docs/api',
  readme: 'none',
  plugin: ['./typedoc.plugin.mjs'],
  inferometerModuleNames: moduleNames,
  // `npm run typecheck` type-checks the sources; TypeDoc only documents them.
  skipErrorChecking: true,
  // Source links would ask git for the revision of every file; the reference
  // is read beside the sources, not on GitHub.
  disableSources: true,
  excludePrivate: true,
  excludeInternal: true,
  treatWarningsAsErrors: true,
  treatValidationWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: false, unusedMergeModuleWith: true },
  // Links into the OpenTelemetry JS SDK's types go to its packages.
  externalSymbolLinkMappings: {
    '@opentelemetry/sdk-metrics': { '*': 'https://www.npmjs.com/package/@opentelemetry/sdk-metrics' },
    '@opentelemetry/api': { '*': 'https://www.npmjs.com/package/@opentelemetry/api' },
  },
};
