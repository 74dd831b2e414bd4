import { packageConfig } from '../../tsup.base.js';

// src/catalog.ts is the `./catalog` subpath: the metric names alone, which
// @inferometer/ops builds into its bundle without this package's dependencies.
export default packageConfig([], ['src/catalog.ts']);
