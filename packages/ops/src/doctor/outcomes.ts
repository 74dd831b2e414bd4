/**
 * The doctor's outcome check: a model whose predictions are kept for ground
 * truth but whose outcomes stopped arriving (a broken feedback route, a
 * queue consumer that died) has realised-accuracy alerts that can never
 * fire, and nothing else shows it. From one scrape: kept predictions and no
 * outcome joined ever. From Prometheus: kept predictions in the last
 * `window` and no outcome in it.
 */
import { METRIC_OUTCOME_EVENTS, METRIC_OUTCOMES, METRIC_PREDICTIONS_KEPT } from '@inferometer/drift/catalog';
import type { Exposition } from '@inferometer/core/prometheus';

/** What the check found, shaped as the doctor's CheckResult (check `outcomes`). */
export interface OutcomeFinding {
  readonly status: 'ok' | 'warn';
  readonly summary: string;
  readonly details: string[];
}

/** Window the Prometheus query looks back over. */
export const OUTCOME_WINDOW = '15m';

/** From one scrape; undefined when no outcome tracker is in use. */
export function outcomesFromExposition(exposition: Exposition): OutcomeFinding | undefined {
  const kept = exposition.families.get(METRIC_PREDICTIONS_KEPT.prometheusName);
  if (kept === undefined) return undefined;
  const joined = new Map<string, number>();
  for (const s of exposition.families.get(METRIC_OUTCOMES.prometheusName)?.samples ?? []) {
    const key = `${s.labels.model_name ?? ''} ${s.labels.model_version ?? ''}`;
    joined.set(key, (joined.get(key) ?? 0) + s.value);
  }
  const waiting = kept.samples.filter((s) => s.value > 0 && !((joined.get(`${s.labels.model_name ?? ''} ${s.labels.model_version ?? ''}`) ?? 0) > 0));
  const events = (exposition.families.get(METRIC_OUTCOME_EVENTS.prometheusName)?.samples ?? []).filter((s) => s.value > 0).map((s) => `${s.labels.event ?? '?'}${s.labels.model_name === undefined ? '' : ` (${s.labels.model_name})`}: ${s.value}`);
  if (waiting.length === 0) return { status: 'ok', summary: `outcomes joined for every model version that keeps predictions`, details: events.length > 0 ? [`join events: ${events.join(', ')}`] : [] };
  return {
    status: 'warn',
    summary: `${waiting.length} model version(s) keep predictions but no outcome was ever joined`,
    details: [
      ...waiting.map((s) => `${s.labels.model_name ?? '?'} ${s.labels.model_version ?? '?'}: ${s.value} predictions kept, 0 outcomes: is report(id, actual) called (the feedback route, the label consumer)?`),
      ...(events.length > 0 ? [`join events (unknown ids point at ids that do not match): ${events.join(', ')}`] : []),
    ],
  };
}

/** The PromQL for versions that kept predictions but got no outcome over {@link OUTCOME_WINDOW}. */
export const STOPPED_OUTCOMES_QUERY = `sum by (job, model_name, model_version) (increase(${METRIC_PREDICTIONS_KEPT.prometheusName}[${OUTCOME_WINDOW}])) > 0 unless on (job, model_name, model_version) sum by (job, model_name, model_version) (increase(${METRIC_OUTCOMES.prometheusName}[${OUTCOME_WINDOW}])) > 0`;

/** From Prometheus's answer to {@link STOPPED_OUTCOMES_QUERY}. */
export function outcomesFromPrometheus(series: readonly { metric: Record<string, string> }[]): OutcomeFinding {
  if (series.length === 0) return { status: 'ok', summary: `outcomes arrived in the last ${OUTCOME_WINDOW} for every model version that kept predictions`, details: [] };
  return {
    status: 'warn',
    summary: `outcomes stopped arriving for ${series.length} model version(s): predictions kept in the last ${OUTCOME_WINDOW}, no outcome joined`,
    details: series.map((s) => `${s.metric.model_name ?? '?'} ${s.metric.model_version ?? '?'} (job ${s.metric.job ?? '?'}): realised-accuracy alerts cannot fire until outcomes come back`),
  };
}
