import { describe, expect, it } from 'vitest';
import { parseExposition } from '@inferometer/core/prometheus';
import { outcomesFromExposition, outcomesFromPrometheus } from '../../src/doctor/outcomes.js';

describe('the doctor on outcomes', () => {
  it('says nothing without an outcome tracker', () => {
    expect(outcomesFromExposition(parseExposition('# TYPE ml_predictions_total counter\nml_predictions_total{model_name="iris",model_version="1",status="success"} 3\n'))).toBeUndefined();
  });

  it('warns for a version that keeps predictions and never got an outcome, naming the join events', () => {
    const text = [
      '# TYPE ml_predictions_kept_total counter',
      'ml_predictions_kept_total{model_name="iris",model_version="1"} 120',
      'ml_predictions_kept_total{model_name="iris",model_version="2"} 80',
      '# TYPE ml_prediction_outcomes_total counter',
      'ml_prediction_outcomes_total{model_name="iris",model_version="2",result="correct"} 30',
      '# TYPE inferometer_outcome_events_total counter',
      'inferometer_outcome_events_total{event="unknown_id"} 45',
      '',
    ].join('\n');
    const finding = outcomesFromExposition(parseExposition(text))!;
    expect(finding.status).toBe('warn');
    expect(finding.summary).toBe('1 model version(s) keep predictions but no outcome was ever joined');
    expect(finding.details[0]).toMatch(/^iris 1: 120 predictions kept, 0 outcomes/);
    expect(finding.details[1]).toContain('unknown_id: 45');
  });

  it('is ok when every version got outcomes', () => {
    const text = '# TYPE ml_predictions_kept_total counter\nml_predictions_kept_total{model_name="iris",model_version="1"} 10\n# TYPE ml_prediction_outcomes_total counter\nml_prediction_outcomes_total{model_name="iris",model_version="1",result="incorrect"} 1\n';
    expect(outcomesFromExposition(parseExposition(text))!.status).toBe('ok');
  });

  it('reports the versions whose outcomes stopped, from Prometheus', () => {
    expect(outcomesFromPrometheus([]).status).toBe('ok');
    const finding = outcomesFromPrometheus([{ metric: { job: 'inferometer', model_name: 'iris', model_version: '1' } }]);
    expect(finding.status).toBe('warn');
    expect(finding.details).toEqual(['iris 1 (job inferometer): realised-accuracy alerts cannot fire until outcomes come back']);
  });
});
