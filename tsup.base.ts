import { defineConfig, type Options } from 'tsup';

/**
 * The build every package shares. One source, two module systems: ESM for
 * `import`, CommonJS for `require` (NestJS and many services are still
 * CommonJS). `dts` emits .d.ts and .d.cts so each condition gets types of its
 * own format (publint: no masquerading).
 *
 * `bin` entries (a CLI's `src/cli.ts`) are built beside `src/index.ts`; their
 * shebang line is kept, and only the library entry gets declarations.
 */
export function packageConfig(bins: readonly string[] = []): ReturnType<typeof defineConfig> {
  const options: Options = {
    entry: ['src/index.ts', ...bins],
    format: ['esm', 'cjs'],
    // The tsconfig is a composite project (for `tsc -b` typechecks); the
    // declaration bundler needs a plain one.
    dts: { entry: 'src/index.ts', compilerOptions: { composite: false, incremental: false } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    treeshake: true,
  };
  return defineConfig(options);
}
