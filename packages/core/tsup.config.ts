import { packageConfig } from '../../tsup.base.js';

// src/internal.ts is the `@inferometer/core/internal` subpath: helpers the
// sibling packages share, not part of the public API.
export default packageConfig([], ['src/internal.ts']);
