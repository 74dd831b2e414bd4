import { accessSync, constants } from 'node:fs';

/**
 * Path of a server binary from Debian's packages. A missing binary fails the
 * test loudly with the install command: these tests exist to run against the
 * real server, so skipping would hide exactly what they check.
 */
export function requireBinary(name: string, debianPackage: string, envVariable: string): string {
  const path = process.env[envVariable] ?? `/usr/bin/${name}`;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `${name} not found at ${path}. Install it with: apt-get update && apt-get install -y ${debianPackage} (or set ${envVariable}). .ci/run does this.`,
    );
  }
  return path;
}
