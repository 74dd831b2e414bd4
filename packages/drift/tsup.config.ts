import { packageConfig } from '../../tsup.base.js';

// src/cli.ts is the `inferometer-profile` bin.
export default packageConfig(['src/cli.ts']);
