import { runtime } from './runtime.js';

/**
 * Says that one version of a model no longer serves (it was replaced by a
 * hot swap, a rollback, a canary that ended). The version is exported one
 * last time by every attached reader, then released: its series, its
 * `ml_model_info` point and its place under the model's cap on distinct
 * versions are given back, so a model swapped through more versions than
 * the cap over a process's life keeps its serving version labelled as
 * itself. Versions idle for `versionIdleSeconds` after being replaced are
 * released the same way without this call.
 *
 * A call to the retired version afterwards records it again as a new
 * series. Returns false when the version is unknown (never recorded, or
 * already released).
 *
 * @example
 * ```ts
 * import { retireModelVersion } from '@inferometer/core';
 *
 * const next = await loadModel('2.4.0');
 * current = next;                     // calls now record model_version="2.4.0"
 * retireModelVersion('iris', '2.3.1'); // the old one is exported once more, then released
 * ```
 */
export function retireModelVersion(model: string, version: string): boolean {
  return runtime().recorder.retire(model, version);
}
