import { packageConfig } from '../../tsup.base.js';

// src/catalog.ts is the `@inferometer/core/catalog` subpath (metric names,
// units, attribute keys, buckets: what dashboards, rules and the satellite
// catalogs read); src/internal.ts is the `@inferometer/core/internal`
// subpath: helpers the sibling packages share, not part of the public API.
// src/prometheus/index.ts is `@inferometer/core/prometheus`: the Prometheus
// rules the pull endpoint and remote write share, not public API either.
export default packageConfig([], ['src/catalog.ts', 'src/internal.ts', 'src/prometheus/index.ts']);
