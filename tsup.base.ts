import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

/**
 * The build every package shares. One source, two module systems: ESM for
 * `import`, CommonJS for `require` (NestJS and many services are still
 * CommonJS). `dts` emits .d.ts and .d.cts so each condition gets types of its
 * own format (publint: no masquerading).
 *
 * `bin` entries (a CLI's `src/cli.ts`) are built beside `src/index.ts`; their
 * shebang line is kept, and only the library entries get declarations.
 * `subpaths` are further library entries (`src/internal.ts` for the
 * `./internal` export), built and typed like `src/index.ts`.
 *
 * Every build first writes `src/version.ts` from the package's package.json
 * (see {@link writeVersionModule}), so the version is typed in one place.
 */
export function packageConfig(bins: readonly string[] = [], subpaths: readonly string[] = []): ReturnType<typeof defineConfig> {
  writeVersionModule(process.cwd());
  const options: Options = {
    entry: ['src/index.ts', ...subpaths, ...bins],
    format: ['esm', 'cjs'],
    // The tsconfig is a composite project (for `tsc -b` typechecks); the
    // declaration bundler needs a plain one.
    dts: { entry: ['src/index.ts', ...subpaths], compilerOptions: { composite: false, incremental: false } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    treeshake: true,
  };
  return defineConfig(options);
}

/**
 * The text of `src/version.ts` for a package: its name and version from
 * package.json, the way opentelemetry-js-contrib's scripts/version-update.js
 * generates its packages' version.ts. The file is committed (tests and
 * `tsc` read the sources without a build) and a test checks that it matches
 * package.json, so a version bump without a build cannot go unnoticed.
 */
export function versionModule(pkg: { readonly name: string; readonly version: string }): string {
  return [
    '// Generated from package.json by tsup.base.ts on every build: do not edit.',
    '',
    '/** The package name, as package.json has it. */',
    `export const PACKAGE_NAME = ${quote(pkg.name)};`,
    '',
    '/** The package version, as package.json has it (the instrumentation scope version, the User-Agent). */',
    `export const VERSION = ${quote(pkg.version)};`,
    '',
  ].join('\n');
}

/** Writes `<dir>/src/version.ts` from `<dir>/package.json`, only when its text changes. */
export function writeVersionModule(dir: string): void {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  const file = join(dir, 'src', 'version.ts');
  const text = versionModule(pkg);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== text) writeFileSync(file, text);
}

/** A single-quoted TypeScript string literal of a package name or version (which hold no quotes or backslashes). */
function quote(value: string): string {
  if (!/^[@\w./+-]+$/.test(value)) throw new TypeError(`package.json name/version ${JSON.stringify(value)} is not a plain npm name or semver`);
  return `'${value}'`;
}
