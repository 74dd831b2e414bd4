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
 */
export function packageConfig(bins: readonly string[] = [], subpaths: readonly string[] = []): ReturnType<typeof defineConfig> {
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
