import { runtime } from '../runtime.js';

/**
 * Refuses attribute keys that are unbounded by nature, at configuration, in
 * the process's runtime (see GuardRegistry.checkDeclaredKeys).
 *
 * @internal
 */
export function checkDeclaredKeys(keys: readonly string[], metric: string, where: string, optIn: readonly string[] = []): void {
  runtime().guard.checkDeclaredKeys(keys, metric, where, optIn);
}
