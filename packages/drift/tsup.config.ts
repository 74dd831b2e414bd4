import { packageConfig } from '../../tsup.base.js';

// src/cli.ts is the `inferometer-profile` bin; src/catalog.ts is the
// `./catalog` subpath (the metric names alone, for @inferometer/ops);
// src/threads.ts the `./threads` subpath (the merger of threads' drift
// windows, imported by @inferometer/node's main thread).
export default packageConfig(['src/cli.ts'], ['src/catalog.ts', 'src/threads.ts']);
