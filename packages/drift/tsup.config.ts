import { defineConfig } from 'tsup';

// One source, two module systems: ESM for `import`, CommonJS for `require`
// (NestJS and many services are still CommonJS). `dts` emits .d.ts and .d.cts
// so each condition gets types of its own format (publint: no masquerading).
// src/cli.ts is the `inferometer-profile` bin (dist/cli.js, ESM; its
// shebang line is kept by the bundler).
export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  // The tsconfig is a composite project (for `tsc -b` typechecks); the
  // declaration bundler needs a plain one.
  dts: { entry: 'src/index.ts', compilerOptions: { composite: false, incremental: false } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  treeshake: true,
});
