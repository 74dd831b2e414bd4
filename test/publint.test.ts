import { join } from 'node:path';
import { publint } from 'publint';
import { describe, expect, it } from 'vitest';
import { PACKAGE_NAMES, PUBLISHED, ROOT } from './support/pack.js';

// Every published package as publint judges it for the npm registry (strict:
// warnings are errors): exports, types conditions, files. Its verdict reads
// package.json and the files on disk, the same on every Node.js line, so CI
// runs this file on Node 24 only (it is not among the unit and packaging
// files .ci/run gives the other lines); the loading itself, by require and
// import on each line, is test/packaging.test.ts.
describe('publishing', () => {
  for (const name of PACKAGE_NAMES) {
    it(`${name} is publint clean (strict)`, async () => {
      const { messages } = await publint({ pkgDir: join(ROOT, PUBLISHED[name]), strict: true });
      expect(messages).toEqual([]);
    });
  }
});
