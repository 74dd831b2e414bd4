/**
 * The flags of `inferometer rules`, and how they become the rules
 * generator's options: one place, so that `inferometer prometheusrule`
 * (the same groups inside a Kubernetes object) takes exactly the same flags,
 * checked the same way.
 */
import { checkDuration, checkRegex, checkUrl, DRIFT_METHODS, resolveThresholds, type AlertThresholds, type DriftMethodName } from '../options.js';
import type { RulesOptions } from '../rules/rule-file.js';

type FlagSpec = Record<string, { type: 'string' | 'boolean' }>;
type Values = Record<string, string | boolean | undefined>;

/** Alert thresholds, shared by `dashboard` (threshold lines) and the rules. */
export const THRESHOLD_FLAGS = {
  'latency-p99-seconds': { type: 'string' },
  'error-ratio': { type: 'string' },
  'drift-psi': { type: 'string' },
  'drift-ks': { type: 'string' },
  'drift-js': { type: 'string' },
  'drift-chi2': { type: 'string' },
  'ttft-p95-seconds': { type: 'string' },
  'cut-short-ratio': { type: 'string' },
  'accuracy-reference': { type: 'string' },
  'accuracy-margin': { type: 'string' },
  'calibration-gap': { type: 'string' },
  'data-quality-ratio': { type: 'string' },
  'min-outcomes': { type: 'string' },
} as const satisfies FlagSpec;

/** Every flag of `inferometer rules`. */
export const RULES_FLAGS = {
  job: { type: 'string' },
  for: { type: 'string' },
  'runbook-url': { type: 'string' },
  'client-error-types': { type: 'string' },
  ...THRESHOLD_FLAGS,
} as const satisfies FlagSpec;

/** The thresholds the flags give, checked; each error names its flag. */
export function thresholdsFromFlags(values: Values): AlertThresholds {
  return resolveThresholds(
    {
      ...(values['latency-p99-seconds'] === undefined ? {} : { latencyP99Seconds: values['latency-p99-seconds'] as unknown as number }),
      ...(values['error-ratio'] === undefined ? {} : { errorRatio: values['error-ratio'] as unknown as number }),
      ...(values['ttft-p95-seconds'] === undefined ? {} : { ttftP95Seconds: values['ttft-p95-seconds'] as unknown as number }),
      ...(values['cut-short-ratio'] === undefined ? {} : { cutShortRatio: values['cut-short-ratio'] as unknown as number }),
      ...(values['accuracy-reference'] === undefined ? {} : { accuracyReference: values['accuracy-reference'] as unknown as number }),
      ...(values['accuracy-margin'] === undefined ? {} : { accuracyMargin: values['accuracy-margin'] as unknown as number }),
      ...(values['calibration-gap'] === undefined ? {} : { calibrationGap: values['calibration-gap'] as unknown as number }),
      ...(values['data-quality-ratio'] === undefined ? {} : { dataQualityRatio: values['data-quality-ratio'] as unknown as number }),
      ...(values['min-outcomes'] === undefined ? {} : { minOutcomes: values['min-outcomes'] as unknown as number }),
      drift: Object.fromEntries(DRIFT_METHODS.filter((m) => values[`drift-${m}`] !== undefined).map((m) => [m, values[`drift-${m}`] as unknown as number])),
    },
    { latencyP99Seconds: '--latency-p99-seconds', errorRatio: '--error-ratio', drift: (m: DriftMethodName) => `--drift-${m}`, ttftP95Seconds: '--ttft-p95-seconds', cutShortRatio: '--cut-short-ratio', accuracyReference: '--accuracy-reference', accuracyMargin: '--accuracy-margin', calibrationGap: '--calibration-gap', dataQualityRatio: '--data-quality-ratio', minOutcomes: '--min-outcomes' },
  );
}

/** The rules generator's options from {@link RULES_FLAGS}, checked. */
export function rulesOptionsFromFlags(values: Values): RulesOptions {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const job = text('job');
  const forDuration = text('for');
  const runbookUrl = text('runbook-url');
  const clientErrorTypes = text('client-error-types');
  return {
    ...thresholdsFromFlags(values),
    ...(job === undefined ? {} : { job: checkRegex('--job', job) }),
    ...(forDuration === undefined ? {} : { for: checkDuration('--for', forDuration) }),
    ...(runbookUrl === undefined ? {} : { runbookUrl: checkUrl('--runbook-url', runbookUrl) }),
    ...(clientErrorTypes === undefined ? {} : { clientErrorTypes: checkRegex('--client-error-types', clientErrorTypes, 'error_type values, e.g. invalid_input') }),
  };
}
