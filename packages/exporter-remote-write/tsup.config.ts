import { packageConfig } from '../../tsup.base.js';

// src/internal.ts is the `@inferometer/exporter-remote-write/internal`
// subpath: the configuration checks @inferometer/node shares, not public API.
// src/catalog.ts is the `./catalog` subpath: the metric names alone, which
// @inferometer/ops builds into its bundle without this package's dependencies.
export default packageConfig([], ['src/internal.ts', 'src/catalog.ts']);
