import { accessSync, constants } from 'node:fs';

/**
 * Path of a server binary from Debian's packages (the repo's test/support has
 * the same helper; this package's tests keep their own so that they stay
 * inside the package's TypeScript project). A missing binary fails loudly.
 */
export function requireBinary(name: string, debianPackage: string, envVariable: string): string {
  const path = process.env[envVariable] ?? `/usr/bin/${name}`;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${name} not found at ${path}. Install it with: apt-get update && apt-get install -y ${debianPackage} (or set ${envVariable}). .ci/run does this.`);
  }
  return path;
}
