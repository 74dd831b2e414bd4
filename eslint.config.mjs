// @ts-check
// Lint for the whole repository: typescript-eslint's recommended rules, and
// the type-aware rules that catch what matters most in instrumentation code
// (a promise dropped on the floor, a promise passed where a callback is
// expected, an await on a non-thenable). Type-aware linting reads the
// tsconfigs listed below.
// https://typescript-eslint.io/getting-started/typed-linting
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/.tsc/**', '**/.turbo/**', 'bench/results/**', 'examples/onnx-iris/model/**', 'test/support/opentelemetry-proto/**', 'docs/api/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // The programs `npm run typecheck` checks: every package's sources
        // and tests and the example's in one (tsconfig.typecheck.json), the
        // root tests in tsconfig.test.json, and the NestJS fixture's own. One
        // program per package read @types/node and the OpenTelemetry
        // declarations nine times over.
        project: ['./tsconfig.typecheck.json', './tsconfig.test.json', './test/fixtures/*/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `_`-prefixed parameters document a deliberately unused position.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests and benchmarks build hostile inputs on purpose (any-typed
    // callbacks, functions with odd `this`), which these rules would flag.
    files: ['**/test/**/*.ts', 'bench/**', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
);
