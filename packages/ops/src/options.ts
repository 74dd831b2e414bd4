/**
 * Options shared by the generators (rules, dashboard, Alertmanager config)
 * and their validation. A wrong value fails at once with an error naming the
 * option (or, from the CLI, the flag) and what it accepts: a mistake found
 * while generating costs nothing, one found by Prometheus or Grafana after
 * deployment costs a silent dashboard or an alert that never fires.
 */
import { DRIFT_METHODS as DRIFT_STATISTICS, type DriftMethod } from '@inferometer/drift/catalog';
import { InferometerConfigError, type InferometerConfigErrorDetails } from '@inferometer/core';
import { ERROR_TYPE_INVALID_INPUT } from '@inferometer/core/catalog';
import { didYouMean } from '@inferometer/core/internal';

/**
 * Thrown for a bad option or flag: an `InferometerConfigError` of
 * @inferometer/core whose `option` is the option's path (`drift.psi`) or,
 * from the CLI, the flag (`--min-replicas`), and whose `accepted` lists what
 * it accepts; the message names both.
 *
 * @example
 * ```ts
 * try {
 *   prometheusRules({ alertFor: { ModelLatencyP99Hihg: '5m' } } as never);
 * } catch (err) {
 *   if (err instanceof OpsConfigError) console.error(err.option, err.hint); // 'alertFor.ModelLatencyP99Hihg' 'ModelLatencyP99High'
 * }
 * ```
 */
export class OpsConfigError extends InferometerConfigError {
  override readonly name: string = 'OpsConfigError';
  /** The option's path or the CLI flag blamed. */
  declare readonly option: string;

  constructor(option: string, message: string, accepted: readonly string[], details?: InferometerConfigErrorDetails) {
    super(option, message, accepted, details);
  }
}

/**
 * One drift statistic, as the `method` label of the drift scores shows it.
 * Spelled out rather than `DriftMethod` from @inferometer/drift, which is
 * bundled into this package and not a dependency of its users: the check
 * below fails the build if the two sets ever differ.
 */
export type DriftMethodName = 'psi' | 'ks' | 'js' | 'chi2';
/** Drift's own list (its `./catalog` subpath), in the order scores are reported. */
export const DRIFT_METHODS: readonly DriftMethodName[] = DRIFT_STATISTICS;
// Compile-time: drift's DriftMethod and DriftMethodName are one set.
export type DriftMethodsAgree = [DriftMethod] extends [DriftMethodName] ? ([DriftMethodName] extends [DriftMethod] ? true : never) : never;
const agree: DriftMethodsAgree = true;
void agree;

/** Thresholds the alerts fire at and the dashboard draws as threshold lines. */
export interface AlertThresholds {
  /**
   * p99 prediction latency, in seconds, above which `ModelLatencyP99High` fires.
   * @example 0.5
   */
  readonly latencyP99Seconds: number;
  /**
   * Share of failed predictions (0 to 1) above which `ModelErrorRatioHigh`
   * fires. Failures whose `error_type` matches `clientErrorTypes` (the
   * caller's invalid input) count neither as failures nor as predictions.
   * @example 0.01
   */
  readonly errorRatio: number;
  /**
   * Drift score per method above which `ModelDataDriftHigh` and
   * `ModelPredictionDriftHigh` fire. The methods live on different scales;
   * the defaults are the same shift on each (PSI 0.25, the conventional
   * "significant shift", read as KS, Jensen-Shannon distance and Cohen's w):
   * see {@link DEFAULT_DRIFT_THRESHOLDS}.
   * @example { psi: 0.25, ks: 0.2, js: 0.2, chi2: 0.5 }
   */
  readonly drift: Readonly<Record<DriftMethodName, number>>;
  /**
   * p95 time to the first streamed item (the first token of a generative
   * model), in seconds, above which `ModelTimeToFirstTokenHigh` fires. Only
   * models that stream record the series, so the alert stays silent for the
   * others.
   * @example 2
   */
  readonly ttftP95Seconds: number;
  /**
   * Share of finished generative calls (0 to 1) cut short by the token limit
   * (`finish_reason="length"`) or a content filter (`content_filter`) above
   * which `ModelGenerationsCutShort` fires. Cancelled calls are left out.
   * @example 0.1
   */
  readonly cutShortRatio: number;
  /**
   * The model's accuracy at validation, 0 to 1: `ModelAccuracyBelowReference`
   * fires when the realised accuracy falls below it by more than
   * `accuracyMargin`, and `ModelEstimatedAccuracyLow` when the estimated one does.
   * @example 0.95
   */
  readonly accuracyReference: number;
  /**
   * Points (0 to 1) the accuracy may fall below `accuracyReference` before
   * the accuracy alerts fire.
   * @example 0.05
   */
  readonly accuracyMargin: number;
  /**
   * Largest gap (0 to 1) between mean confidence and realised accuracy over
   * labelled predictions before `ModelCalibrationGap` fires.
   * @example 0.1
   */
  readonly calibrationGap: number;
  /**
   * Share of checked rows (0 to 1) with one data-quality issue in one
   * feature above which `ModelDataQualityIssues` fires.
   * @example 0.05
   */
  readonly dataQualityRatio: number;
  /**
   * Outcomes needed in the 5-minute window before the realised-accuracy and
   * calibration alerts may fire (a handful of labels says nothing).
   * @example 30
   */
  readonly minOutcomes: number;
}

/**
 * @inferometer/drift's `DEFAULT_THRESHOLDS[method].critical`, repeated here
 * because this package does not depend on the drift package (a test keeps
 * the two equal). Healthy windows of 300 to 1000 rows read p99 PSI 0.08, KS
 * 0.09, JS 0.12, w 0.18 (the drift README's table).
 */
export const DEFAULT_DRIFT_THRESHOLDS: Readonly<Record<DriftMethodName, number>> = Object.freeze({ psi: 0.25, ks: 0.2, js: 0.2, chi2: 0.5 });

/**
 * Default alert thresholds: p99 above 500 ms, errors above 1 %, drift per
 * method above {@link DEFAULT_DRIFT_THRESHOLDS}, time to first token p95
 * above 2 s, more than 10 % of generations cut short.
 */
export const DEFAULT_THRESHOLDS: AlertThresholds = Object.freeze({
  latencyP99Seconds: 0.5,
  errorRatio: 0.01,
  drift: DEFAULT_DRIFT_THRESHOLDS,
  // Interactive chat answers within a second or two; vLLM's and TGI's
  // time-to-first-token buckets stop being fine-grained above 2.5 s.
  ttftP95Seconds: 2,
  // One answer in ten cut off or filtered is a prompt or max_tokens problem
  // users notice; a few percent is ordinary for long answers.
  cutShortRatio: 0.1,
  // A generic floor: set it to the model's validation accuracy.
  accuracyReference: 0.9,
  accuracyMargin: 0.05,
  // Ten points between what the model believes and what happens is a model
  // whose confidence (and CBPE estimate) has stopped meaning anything.
  calibrationGap: 0.1,
  // One row in twenty with a broken value in one feature.
  dataQualityRatio: 0.05,
  minOutcomes: 30,
});

/**
 * Default `clientErrorTypes`: the `error_type` that core's `errorType` option
 * documents for refused input. A request the model refuses because the
 * caller sent something invalid (an HTTP 400) is the client's mistake, not a
 * model failure: it must not page the model owners.
 */
export const DEFAULT_CLIENT_ERROR_TYPES: string = ERROR_TYPE_INVALID_INPUT;

/** How long a condition must hold before an alert fires, unless overridden. */
export const DEFAULT_FOR = '5m';

/**
 * Default `job` regex that identifies the model servers' scrape targets (used
 * by the `up`-based alerts and the scrape-health panels). The stack in
 * examples/stack names its job `inferometer`.
 */
export const DEFAULT_JOB = 'inferometer';

/** Default `job` regex of the node_exporter targets (the dashboard's Machine row). */
export const DEFAULT_NODE_JOB = 'node';

/** Options every generator that selects the model servers' targets takes. */
export interface TargetOptions {
  /**
   * Regular expression (RE2, anchored by Prometheus) matching the `job` label
   * of the model servers' scrape targets.
   * @example 'inferometer|iris-.*'
   */
  readonly job?: string;
}

// Prometheus duration syntax (model.ParseDuration): units from largest to
// smallest, each at most once, e.g. 1h30m, 90s, 500ms.
const DURATION = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;

/** A Prometheus duration such as `5m`, `90s` or `1h30m`; `name` is the option or flag. */
export function checkDuration(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || !DURATION.test(value)) {
    throw new OpsConfigError(name, `${name}=${JSON.stringify(value)}: expected a Prometheus duration such as 30s, 5m or 1h30m (units ms, s, m, h, d, w, y)`, ['a Prometheus duration such as 30s, 5m or 1h30m (units ms, s, m, h, d, w, y)']);
  }
  return value;
}

const UNIT_MILLIS: Readonly<Record<string, number>> = { y: 31_536_000_000, w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds of a Prometheus duration (`1h30m`, `15s`, `500ms`); undefined when the text is not one. */
export function durationMillis(duration: string): number | undefined {
  if (duration === '' || !DURATION.test(duration)) return undefined;
  let total = 0;
  for (const [, count, unit] of duration.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) total += Number(count) * UNIT_MILLIS[unit!]!;
  return total;
}

/** A number in the open interval (min, max); numbers given as text (from the CLI) are read. */
export function checkNumber(name: string, value: unknown, min: number, max: number, example: string): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number) || number <= min || number >= max) {
    const range = max === Number.POSITIVE_INFINITY ? `greater than ${min}` : `greater than ${min} and less than ${max}`;
    throw new OpsConfigError(name, `${name}=${JSON.stringify(value)}: expected a number ${range}, e.g. ${example}`, [`a number ${range}`]);
  }
  return number;
}

/** An http(s) URL. */
export function checkUrl(name: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new OpsConfigError(name, `${name}=${JSON.stringify(value)}: expected an http:// or https:// URL, e.g. http://localhost:9464/metrics`, ['an http:// or https:// URL']);
  }
  return value as string;
}

/** A regular expression for a label matcher; quotes are escaped when it is written into PromQL. */
export function checkRegex(name: string, value: unknown, matching = 'job names, e.g. inferometer'): string {
  if (typeof value !== 'string' || value === '') {
    throw new OpsConfigError(name, `${name}=${JSON.stringify(value)}: expected a non-empty regular expression matching ${matching}`, [`a non-empty regular expression matching ${matching}`]);
  }
  try {
    new RegExp(value);
  } catch (err) {
    throw new OpsConfigError(name, `${name}=${JSON.stringify(value)}: not a valid regular expression (${(err as Error).message})`, ['a valid regular expression'], { cause: err });
  }
  return value;
}

/** Option or flag names of the thresholds, for the error messages. */
export interface ThresholdNames {
  readonly latencyP99Seconds: string;
  readonly errorRatio: string;
  readonly drift: (method: DriftMethodName) => string;
  readonly ttftP95Seconds: string;
  readonly cutShortRatio: string;
  readonly accuracyReference?: string;
  readonly accuracyMargin?: string;
  readonly calibrationGap?: string;
  readonly dataQualityRatio?: string;
  readonly minOutcomes?: string;
}

/** Threshold options as the generators take them: each drift method on its own. */
export interface ThresholdOptions {
  /** @see AlertThresholds.latencyP99Seconds @example 0.5 */
  readonly latencyP99Seconds?: number;
  /** @see AlertThresholds.errorRatio @example 0.01 */
  readonly errorRatio?: number;
  /**
   * Drift thresholds per method; the methods not given keep their default.
   * @example { psi: 0.2 }
   */
  readonly drift?: Partial<Record<DriftMethodName, number>>;
  /** @see AlertThresholds.ttftP95Seconds @example 2 */
  readonly ttftP95Seconds?: number;
  /** @see AlertThresholds.cutShortRatio @example 0.1 */
  readonly cutShortRatio?: number;
  /** @see AlertThresholds.accuracyReference @example 0.95 */
  readonly accuracyReference?: number;
  /** @see AlertThresholds.accuracyMargin @example 0.05 */
  readonly accuracyMargin?: number;
  /** @see AlertThresholds.calibrationGap @example 0.1 */
  readonly calibrationGap?: number;
  /** @see AlertThresholds.dataQualityRatio @example 0.05 */
  readonly dataQualityRatio?: number;
  /** @see AlertThresholds.minOutcomes @example 30 */
  readonly minOutcomes?: number;
}

/** The thresholds with defaults filled in and each value checked; `names` maps each to its option or flag name. */
export function resolveThresholds(
  given: ThresholdOptions,
  names: ThresholdNames = { latencyP99Seconds: 'latencyP99Seconds', errorRatio: 'errorRatio', drift: (m) => `drift.${m}`, ttftP95Seconds: 'ttftP95Seconds', cutShortRatio: 'cutShortRatio' },
): AlertThresholds {
  const drift = given.drift ?? {};
  if (drift === null || typeof drift !== 'object') throw new OpsConfigError('drift', `drift=${JSON.stringify(drift)}: expected an object of thresholds per method, e.g. { psi: 0.25 }`, ['an object of thresholds per method, e.g. { psi: 0.25 }']);
  for (const key of Object.keys(drift)) {
    if (!(DRIFT_METHODS as readonly string[]).includes(key)) throw new OpsConfigError(`drift.${key}`, `drift.${key}: unknown drift method; accepted: ${DRIFT_METHODS.join(', ')}`, [...DRIFT_METHODS], { hint: didYouMean(key, DRIFT_METHODS), code: 'ERR_INFEROMETER_UNKNOWN_OPTION' });
  }
  const resolved = {} as Record<DriftMethodName, number>;
  for (const m of DRIFT_METHODS) resolved[m] = checkNumber(names.drift(m), drift[m] ?? DEFAULT_DRIFT_THRESHOLDS[m], 0, Number.POSITIVE_INFINITY, String(DEFAULT_DRIFT_THRESHOLDS[m]));
  return {
    latencyP99Seconds: checkNumber(names.latencyP99Seconds, given.latencyP99Seconds ?? DEFAULT_THRESHOLDS.latencyP99Seconds, 0, Number.POSITIVE_INFINITY, '0.5'),
    errorRatio: checkNumber(names.errorRatio, given.errorRatio ?? DEFAULT_THRESHOLDS.errorRatio, 0, 1, '0.01'),
    drift: Object.freeze(resolved),
    ttftP95Seconds: checkNumber(names.ttftP95Seconds, given.ttftP95Seconds ?? DEFAULT_THRESHOLDS.ttftP95Seconds, 0, Number.POSITIVE_INFINITY, '2'),
    cutShortRatio: checkNumber(names.cutShortRatio, given.cutShortRatio ?? DEFAULT_THRESHOLDS.cutShortRatio, 0, 1, '0.1'),
    accuracyReference: checkNumber(names.accuracyReference ?? 'accuracyReference', given.accuracyReference ?? DEFAULT_THRESHOLDS.accuracyReference, 0, 1.000001, '0.95'),
    accuracyMargin: checkNumber(names.accuracyMargin ?? 'accuracyMargin', given.accuracyMargin ?? DEFAULT_THRESHOLDS.accuracyMargin, 0, 1, '0.05'),
    calibrationGap: checkNumber(names.calibrationGap ?? 'calibrationGap', given.calibrationGap ?? DEFAULT_THRESHOLDS.calibrationGap, 0, 1, '0.1'),
    dataQualityRatio: checkNumber(names.dataQualityRatio ?? 'dataQualityRatio', given.dataQualityRatio ?? DEFAULT_THRESHOLDS.dataQualityRatio, 0, 1, '0.05'),
    minOutcomes: checkNumber(names.minOutcomes ?? 'minOutcomes', given.minOutcomes ?? DEFAULT_THRESHOLDS.minOutcomes, 0, Number.POSITIVE_INFINITY, '30'),
  };
}
