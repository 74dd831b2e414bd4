import type { ResolveFailureReason } from './catalog.js';

/**
 * The first resolution of a `models:/` URI failed and no `fallbackVersion`
 * was given: {@link mlflowModel} rejects with this, so a service does not
 * start serving under an unknown version. Code reads `reason` (one of
 * `RESOLVE_FAILURE_REASONS`), `status` and `uri`; it never has to parse the
 * message. A configuration mistake (a bad option or variable) is an
 * `InferometerConfigError` instead.
 *
 * @example
 * ```ts
 * try {
 *   await mlflowModel('models:/fraud@champion');
 * } catch (err) {
 *   if (err instanceof MlflowResolveError && err.reason === 'unauthorized') console.error('check MLFLOW_TRACKING_TOKEN');
 *   throw err;
 * }
 * ```
 */
export class MlflowResolveError extends Error {
  override readonly name = 'MlflowResolveError';

  constructor(
    /** The URI that could not be resolved. */
    readonly uri: string,
    /** Why, as counted in `inferometer_mlflow_resolve_failures_total{reason}`. */
    readonly reason: ResolveFailureReason,
    message: string,
    /** The HTTP status of the last answer, when there was one. */
    readonly status?: number,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}
