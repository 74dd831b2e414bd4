import { runtime } from '@inferometer/core/internal';

/*
 * Drift reports through core's report-once memory (one per process, bounded,
 * shared by every copy of every @inferometer package), its keys namespaced.
 */

/** Reports our own failure through OpenTelemetry's `diag`, once per `where`. @internal */
export function reportError(where: string, err: unknown): void {
  runtime().diag.error(`@inferometer/drift:error:${where}`, `@inferometer/drift: internal failure in ${where}; predictions were not affected`, err);
}

