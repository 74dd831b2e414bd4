import { packageConfig } from '../../tsup.base.js';

// src/catalog.ts is the `./catalog` subpath (the cluster and runtime metric
// names alone, for @inferometer/ops).
export default packageConfig([], ['src/catalog.ts']);
