import { packageConfig } from '../../tsup.base.js';

// src/internal.ts is the `@inferometer/exporter-remote-write/internal`
// subpath: the configuration checks @inferometer/node shares, not public API.
export default packageConfig([], ['src/internal.ts']);
