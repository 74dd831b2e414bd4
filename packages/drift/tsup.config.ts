import { packageConfig } from '../../tsup.base.js';

// src/cli.ts is the `inferometer-profile` bin; src/catalog.ts is the
// `./catalog` subpath (the metric names alone, for @inferometer/ops).
export default packageConfig(['src/cli.ts'], ['src/catalog.ts']);
