import type { Options } from 'tsup';
import { packageConfig } from '../../tsup.base.js';

// src/catalog.ts is the `./catalog` subpath (the cluster and runtime metric
// names alone, for @inferometer/ops); src/page/index.ts the `./page` subpath
// (the health page's figures and renderer, for `inferometer doctor --report`).
const base = packageConfig([], ['src/catalog.ts', 'src/page/index.ts']) as Options;

// Exporters load their packages with `import()` when chosen (OTLP, gRPC,
// remote write, the AWS signer). In the CommonJS build an `import()` would
// load a package's ESM build beside the CommonJS copies the rest of that
// build requires (a second @opentelemetry/sdk-metrics, ~0.15 s of CPU, and
// two instances of one package); esbuild turns it into a deferred `require`
// there instead, so each package loads once, when chosen.
export default {
  ...base,
  esbuildOptions(options, context) {
    if (context.format === 'cjs') options.supported = { ...options.supported, 'dynamic-import': false };
  },
} satisfies Options;
