import { packageConfig } from '../../tsup.base.js';

// src/catalog.ts is the `./catalog` subpath: the metric names alone, which
// @inferometer/ops can build into its bundle without this package's code.
export default packageConfig([], ['src/catalog.ts']);
