/**
 * The health page's figures from two expositions 10 s apart: rates, error
 * ratios, quantiles, tokens, time to first token, the guard and the
 * endpoint's families, read by the catalogs' names.
 */
import { describe, expect, it } from 'vitest';
import {
  ERROR_TYPE_INVALID_INPUT,
  METRIC_ATTRIBUTE_REJECTIONS,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTION_TOKENS,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_TIME_TO_FIRST_ITEM,
} from '@inferometer/core/catalog';
import { parseExposition } from '@inferometer/core/prometheus';
import * as driftCatalog from '@inferometer/drift/catalog';
import { METRIC_CLUSTER_WORKERS } from '../../src/catalog.js';
import { figuresOf, quantile, snapshotOf } from '../../src/page/figures.js';
import { renderHealthPage } from '../../src/page/render.js';

const M = 'model_name="chat",model_version="2"';

/** An exposition of the chat model after `calls` calls: `errors` of them failed, and `refused` more were refused for their input. */
function exposition(calls: number, errors: number, refused: number, outputTokens: number, fast: number): string {
  const latency = METRIC_PREDICTION_LATENCY.prometheusName;
  const ttft = METRIC_TIME_TO_FIRST_ITEM.prometheusName;
  const tokens = METRIC_PREDICTION_TOKENS.prometheusName;
  return [
    `# TYPE ${METRIC_PREDICTIONS.prometheusName} counter`,
    `${METRIC_PREDICTIONS.prometheusName}{${M},status="success"} ${calls - errors - refused}`,
    `${METRIC_PREDICTIONS.prometheusName}{${M},status="error"} ${errors + refused}`,
    `# TYPE ${METRIC_PREDICTION_ERRORS.prometheusName} counter`,
    `${METRIC_PREDICTION_ERRORS.prometheusName}{${M},error_type="RateLimitError"} ${errors}`,
    `${METRIC_PREDICTION_ERRORS.prometheusName}{${M},error_type="${ERROR_TYPE_INVALID_INPUT}"} ${refused}`,
    `# TYPE ${METRIC_PREDICTIONS_IN_FLIGHT.prometheusName} gauge`,
    `${METRIC_PREDICTIONS_IN_FLIGHT.prometheusName}{${M}} 3`,
    `# TYPE ${latency} histogram`,
    `${latency}_bucket{${M},le="0.1"} ${fast}`,
    `${latency}_bucket{${M},le="1"} ${calls}`,
    `${latency}_bucket{${M},le="+Inf"} ${calls}`,
    `${latency}_sum{${M}} 1`,
    `${latency}_count{${M}} ${calls}`,
    `# TYPE ${ttft} histogram`,
    `${ttft}_bucket{${M},le="0.5"} ${calls}`,
    `${ttft}_bucket{${M},le="+Inf"} ${calls}`,
    `${ttft}_sum{${M}} 1`,
    `${ttft}_count{${M}} ${calls}`,
    `# TYPE ${tokens} histogram`,
    `${tokens}_bucket{${M},token_type="output",le="+Inf"} ${calls}`,
    `${tokens}_sum{${M},token_type="output"} ${outputTokens}`,
    `${tokens}_count{${M},token_type="output"} ${calls}`,
    `# TYPE ${METRIC_ATTRIBUTE_REJECTIONS.prometheusName} counter`,
    `${METRIC_ATTRIBUTE_REJECTIONS.prometheusName}{metric="ml_predictions",attribute="user_id",reason="unbounded_key"} 7`,
    `# TYPE ${METRIC_CLUSTER_WORKERS.prometheusName} gauge`,
    `${METRIC_CLUSTER_WORKERS.prometheusName}{kind="cluster",state="alive"} 4`,
    '',
  ].join('\n');
}

describe('the health page figures', () => {
  const before = snapshotOf(parseExposition(exposition(100, 10, 5, 5_000, 90)), 1_000_000, driftCatalog);
  const after = snapshotOf(parseExposition(exposition(200, 30, 10, 9_000, 100)), 1_010_000, driftCatalog);
  const { figures } = figuresOf(after, before);
  const value = (key: string): number | undefined => figures.find((f) => f.key === key)?.value;

  it('gives rates and ratios over the interval, and totals since start', () => {
    expect(value('chat/2/calls_per_second')).toBe(10);
    expect(value('chat/2/calls_total')).toBe(200);
    expect(value('chat/2/in_flight')).toBe(3);
    // The model error ratio, as the generated alert counts it: the 10 + 5
    // calls refused for their input are in neither side.
    expect(value('chat/2/error_ratio')).toBeCloseTo(20 / 95, 12);
    expect(value('chat/2/error_ratio_total')).toBeCloseTo(30 / 190, 12);
    expect(value(`chat/2/errors_total/${ERROR_TYPE_INVALID_INPUT}`)).toBe(10);
    expect(value('chat/2/errors/RateLimitError')).toBe(2);
    expect(value('chat/2/tokens/output')).toBe(400);
  });

  it("computes quantiles as Prometheus' histogram_quantile does, over the interval's observations", () => {
    // Interval: 10 of 100 under 0.1 s, 90 between 0.1 and 1 s: p50 at rank 50, 40/90 into (0.1, 1].
    expect(value('chat/2/latency_p50')).toBeCloseTo(0.1 + 0.9 * (40 / 90), 12);
    expect(value('chat/2/latency_p50_total')).toBeCloseTo(0.1 * (100 / 100), 12);
    expect(quantile(0.99, { bounds: [0.1, Number.POSITIVE_INFINITY], counts: [1, 100] })).toBe(0.1);
    expect(quantile(0.5, { bounds: [1, Number.POSITIVE_INFINITY], counts: [0, 0] })).toBeUndefined();
    expect(value('chat/2/ttft_p95')).toBeCloseTo(0.5 * 0.95, 12);
  });

  it("shows the guard's refusals and the endpoint's catalog families when present, and no rate without a previous sample", () => {
    expect(value(`guard/${METRIC_ATTRIBUTE_REJECTIONS.prometheusName}{metric="ml_predictions"}`)).toBe(7);
    expect(value(`endpoint/${METRIC_CLUSTER_WORKERS.prometheusName}`)).toBe(4);
    const single = figuresOf(after, undefined).figures;
    expect(single.find((f) => f.key === 'chat/2/calls_per_second')?.value).toBeUndefined();
    expect(single.find((f) => f.key === 'chat/2/calls_total')?.value).toBe(200);
  });

  it('escapes label values in the HTML', () => {
    const hostile = snapshotOf(parseExposition(`# TYPE ml_predictions_total counter\nml_predictions_total{model_name="<script>alert(1)</script>",model_version="\\"x",status="success"} 1\n`), 0);
    const { figures: f, distributions } = figuresOf(hostile, undefined);
    const html = renderHealthPage({ source: 'http://x/metrics', at: 0, figures: f, distributions });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });
});
