/** An id a prediction is kept under: a request id, a row's key. Numbers are compared as their decimal strings. */
export type PredictionId = string | number;

/**
 * What {@link OutcomeTracker.report} did with an outcome: `joined` with its
 * prediction (counted in the realised metrics); `unknown` (never kept, or
 * forgotten); `late` (kept, then dropped for capacity or age before the
 * outcome came); `duplicate` (already joined); `invalid` (a bad id or a bad
 * outcome). Every case but `joined` is counted in
 * `inferometer_outcome_events_total`.
 */
export type OutcomeStatus = 'joined' | 'unknown' | 'late' | 'duplicate' | 'invalid';

/** Options of `outcomeTracker`. Checked when it is built; a bad one throws naming it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's arguments and result
export interface OutcomeTrackerOptions<Args extends unknown[] = any[], Result = any> {
  /**
   * `'classification'`: outcomes are classes, compared with the predicted
   * class (correct/incorrect, confusion, calibration, CBPE).
   * `'regression'`: outcomes are numbers (absolute, squared and signed error).
   *
   * @example
   * ```ts
   * task: 'classification'
   * ```
   */
  task: 'classification' | 'regression';

  /**
   * Reads the prediction's id from the call's arguments and result: one id,
   * or one per row of a batch (in the order of `prediction`'s rows). Without
   * it, ids are generated (`<random prefix>-<counter>`) and handed back
   * through {@link OutcomeTracker.idsOf}, keyed by the result object (a
   * result that is not an object cannot carry one: give `id` then).
   *
   * @example
   * ```ts
   * id: ([request]) => request.headers['x-request-id']
   * ```
   */
  id?: (args: Args, result: Result) => PredictionId | readonly PredictionId[] | undefined;

  /**
   * Reads the predicted class (classification: a string, an integer index
   * into `classNames`, a boolean) or value (regression) from the result;
   * for a batch, one per row (an array or typed array).
   *
   * @example
   * ```ts
   * prediction: (result) => result.labels
   * ```
   */
  prediction: (result: Result, args: Args) => unknown;

  /**
   * Reads the confidence (classification only): the top-class probability,
   * a probability vector (its maximum is taken), or per row of a batch a
   * number or a vector (a flat typed array of rows x classes is split by
   * rows). Feeds calibration and the estimated accuracy (CBPE).
   *
   * @example
   * ```ts
   * confidence: (result) => result.probabilities
   * ```
   */
  confidence?: (result: Result) => unknown;

  /**
   * Class names, index i naming class i: integer predictions and outcomes
   * are mapped through it, so a label tensor and a string outcome compare.
   *
   * @example
   * ```ts
   * classNames: ['setosa', 'versicolor', 'virginica']
   * ```
   */
  classNames?: readonly string[];

  /**
   * Most predictions held at once waiting for an outcome; past it the
   * oldest is dropped (`event="evicted"`). 1 to 10,000,000. Default 100,000
   * (about 13 MB at the measured bytes per kept prediction, see the README).
   *
   * @example
   * ```ts
   * maxEntries: 1_000_000
   * ```
   */
  maxEntries?: number;

  /**
   * Longest a prediction waits for its outcome, in seconds; older ones are
   * dropped (`event="expired"`) and their outcomes counted late. Set it to
   * your longest expected label delay. Default 86,400 (a day).
   *
   * @example
   * ```ts
   * maxAgeSeconds: 7 * 86400
   * ```
   */
  maxAgeSeconds?: number;

  /**
   * Longest id kept, in UTF-16 code units; longer ids are refused
   * (`event="invalid_id"`), so a hostile id cannot grow the store. 1 to
   * 4,096. Default 256.
   *
   * @example
   * ```ts
   * maxIdLength: 64
   * ```
   */
  maxIdLength?: number;

  /**
   * Most distinct class names per model version in the confusion counts;
   * later ones are counted as `_OTHER` (`event="class_overflow"`), so the
   * confusion matrix holds at most (maxClasses + 1)^2 series per version.
   * 2 to 256. Default 32.
   *
   * @example
   * ```ts
   * maxClasses: 10
   * ```
   */
  maxClasses?: number;

  /**
   * Upper bounds of the confidence bins of the calibration metrics,
   * increasing, the last 1. Default 0.1, 0.2, ..., 1 (core's confidence buckets).
   *
   * @example
   * ```ts
   * confidenceBins: [0.5, 0.6, 0.7, 0.8, 0.9, 1]
   * ```
   */
  confidenceBins?: readonly number[];

  /**
   * The clock of the store, in milliseconds: prediction times, ages and
   * label delays are read from it. Default `performance.now()` (monotonic).
   * Tests pass a fake one to age predictions without waiting.
   *
   * @example
   * ```ts
   * clock: () => fakeNow
   * ```
   */
  clock?: () => number;
}
