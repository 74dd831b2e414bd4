import { packageConfig } from '../../tsup.base.js';

// src/internal.ts is the `@inferometer/core/internal` subpath: helpers the
// sibling packages share, not part of the public API. src/prometheus/index.ts
// is `@inferometer/core/prometheus`: the Prometheus rules the pull endpoint
// and remote write share, not public API either.
export default packageConfig([], ['src/internal.ts', 'src/prometheus/index.ts']);
