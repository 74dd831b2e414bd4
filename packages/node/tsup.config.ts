import { packageConfig } from '../../tsup.base.js';

// src/catalog.ts is the `./catalog` subpath (the cluster and runtime metric
// names alone, for @inferometer/ops); src/page/index.ts the `./page` subpath
// (the health page's figures and renderer, for `inferometer doctor --report`).
export default packageConfig([], ['src/catalog.ts', 'src/page/index.ts']);
