import { packageConfig } from '../../tsup.base.js';

// Built like the published packages so each package's tests (whose
// tsconfig rootDir is their own package) import it from dist.
export default packageConfig();
