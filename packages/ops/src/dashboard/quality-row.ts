/**
 * The dashboard row of model quality (`@inferometer/drift`'s outcome
 * tracker, data-quality and embedding monitors): realised against estimated
 * accuracy, precision and recall per class, calibration, regression error,
 * label delay and the labelled share, data-quality issues, embedding
 * distance and the join store's events. Models without an outcome tracker
 * have no series: the panels stay empty rather than wrong.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import { RowBuilder, ThresholdsConfigBuilder, ThresholdsMode, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { panel } from './panels.js';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION } from '@inferometer/core/catalog';
import {
  ATTR_CONFIDENCE_BIN,
  ATTR_DISTANCE,
  ATTR_EVENT,
  ATTR_FEATURE,
  ATTR_ISSUE,
  ATTR_SOURCE,
  METRIC_EMBEDDING_CENTROID_DISTANCE,
  METRIC_LABEL_DELAY,
  METRIC_OUTCOME_EVENTS,
} from '@inferometer/drift/catalog';
import { QUALITY_RECORDED } from '../rules/quality.js';
import { VARIABLES } from './queries.js';

/** Title of the row. */
export const QUALITY_ROW_TITLE = 'Outcomes, calibration and data quality';

const SERIES = `job=~"$${VARIABLES.job}", ${ATTR_MODEL_NAME}=~"$${VARIABLES.model}", ${ATTR_MODEL_VERSION}=~"$${VARIABLES.version}"`;
const PER_VERSION = `${ATTR_MODEL_NAME}, ${ATTR_MODEL_VERSION}`;

/** The row's PromQL, on recorded series where a rule exists. */
export const QUALITY_QUERIES = {
  accuracy: `max by (${PER_VERSION}) (${QUALITY_RECORDED.accuracy}{${SERIES}})`,
  estimatedAccuracy: `max by (${PER_VERSION}) (${QUALITY_RECORDED.estimatedAccuracy}{${SERIES}})`,
  precision: `max by (${PER_VERSION}, class) (${QUALITY_RECORDED.precision}{${SERIES}})`,
  recall: `max by (${PER_VERSION}, class) (${QUALITY_RECORDED.recall}{${SERIES}})`,
  calibrationError: `max by (${PER_VERSION}) (${QUALITY_RECORDED.calibrationError}{${SERIES}})`,
  confidenceGap: `max by (${PER_VERSION}) (${QUALITY_RECORDED.confidenceGap}{${SERIES}})`,
  reliability: `max by (${PER_VERSION}, ${ATTR_CONFIDENCE_BIN}) (${QUALITY_RECORDED.reliability}{${SERIES}})`,
  mae: `max by (${PER_VERSION}) (${QUALITY_RECORDED.mae}{${SERIES}})`,
  rmse: `max by (${PER_VERSION}) (${QUALITY_RECORDED.rmse}{${SERIES}})`,
  labelledShare: `max by (${PER_VERSION}) (${QUALITY_RECORDED.labelledShare}{${SERIES}})`,
  labelDelayP95: `histogram_quantile(0.95, sum by (${PER_VERSION}, le) (rate(${METRIC_LABEL_DELAY.prometheusName}_bucket{${SERIES}}[5m])))`,
  // The ten worst (feature, issue) pairs: a wide model has hundreds.
  dataQuality: `topk(10, max by (${ATTR_MODEL_NAME}, ${ATTR_FEATURE}, ${ATTR_ISSUE}) (${QUALITY_RECORDED.dataQualityRatio}{${SERIES}}))`,
  embeddingDistance: `max by (${ATTR_MODEL_NAME}, ${ATTR_SOURCE}, ${ATTR_DISTANCE}) (${METRIC_EMBEDDING_CENTROID_DISTANCE.prometheusName}{${SERIES}})`,
  outcomeEvents: `sum by (${ATTR_EVENT}) (rate(${METRIC_OUTCOME_EVENTS.prometheusName}{job=~"$${VARIABLES.job}"}[5m])) > 0`,
} as const;

const line = (p: timeseries.PanelBuilder, value: number, below: boolean): timeseries.PanelBuilder =>
  p
    .thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps(below ? [{ value: null, color: 'red' }, { value, color: 'green' }] : [{ value: null, color: 'green' }, { value, color: 'red' }]),
    )
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));

/**
 * Adds the row to `builder`; the accuracy panel draws the alert floor
 * (reference minus margin), calibration and data quality their thresholds.
 *
 * @example
 * ```ts
 * withQualityRow(builder, { accuracyReference: 0.95, accuracyMargin: 0.05, calibrationGap: 0.1, dataQualityRatio: 0.05 });
 * ```
 */
export function withQualityRow(
  builder: DashboardBuilder,
  limits: { readonly accuracyReference: number; readonly accuracyMargin: number; readonly calibrationGap: number; readonly dataQualityRatio: number },
): DashboardBuilder {
  const floor = Number((limits.accuracyReference - limits.accuracyMargin).toPrecision(6));
  return builder
    .withRow(new RowBuilder(QUALITY_ROW_TITLE))
    .withPanel(
      line(
        panel('Accuracy: realised and estimated', `Realised: reported outcomes that matched. Estimated (CBPE): what the confidences promise, from every prediction, before labels arrive. The dashed line is the alert floor (${floor}).`, 'percentunit', 8, [
          [QUALITY_QUERIES.accuracy, 'realised {{model_name}} {{model_version}}'],
          [QUALITY_QUERIES.estimatedAccuracy, 'estimated {{model_name}} {{model_version}}'],
        ]).max(1),
        floor,
        true,
      ),
    )
    .withPanel(
      panel('Precision and recall per class', 'From the confusion counts over 5 minutes: precision by predicted class, recall by actual class.', 'percentunit', 8, [
        [QUALITY_QUERIES.precision, 'precision {{class}}'],
        [QUALITY_QUERIES.recall, 'recall {{class}}'],
      ]).max(1),
    )
    .withPanel(
      line(
        panel('Calibration', `Expected calibration error, and mean confidence minus accuracy (positive: overconfident) over labelled predictions; the dashed line is the gap alert (${limits.calibrationGap}).`, 'percentunit', 8, [
          [QUALITY_QUERIES.calibrationError, 'ECE {{model_name}} {{model_version}}'],
          [QUALITY_QUERIES.confidenceGap, 'gap {{model_name}} {{model_version}}'],
        ]),
        limits.calibrationGap,
        false,
      ).min(-1),
    )
    .withPanel(
      panel('Reliability (accuracy per confidence bin)', 'A calibrated model reads each bin\'s accuracy at its confidence (bin 0.9: about 0.85 to 0.9).', 'percentunit', 8, [[QUALITY_QUERIES.reliability, 'bin {{confidence_bin}}']]).max(1),
    )
    .withPanel(
      panel('Labelled share and label delay', 'Share of kept predictions that got an outcome (left axis, approximate while labels lag) and the p95 time from prediction to outcome.', 'percentunit', 8, [
        [QUALITY_QUERIES.labelledShare, 'share {{model_name}}'],
        [QUALITY_QUERIES.labelDelayP95, 'delay p95 (s) {{model_name}}'],
      ]),
    )
    .withPanel(
      panel('Regression error', 'Mean absolute error and root mean squared error over 5 minutes, in the target\'s unit.', 'short', 8, [
        [QUALITY_QUERIES.mae, 'MAE {{model_name}} {{model_version}}'],
        [QUALITY_QUERIES.rmse, 'RMSE {{model_name}} {{model_version}}'],
      ]),
    )
    .withPanel(
      line(
        panel('Data-quality issues per row', `Share of checked rows with the issue in the feature, against the reference profile (the ten worst pairs); the dashed line is the alert threshold (${limits.dataQualityRatio}).`, 'percentunit', 8, [
          [QUALITY_QUERIES.dataQuality, '{{model_name}} {{feature}} {{issue}}'],
        ]),
        limits.dataQualityRatio,
        false,
      ),
    )
    .withPanel(
      panel('Embedding centroid distance', 'Distance of the recent vectors\' centroid from the reference centroid (cosine, Euclidean).', 'short', 8, [
        [QUALITY_QUERIES.embeddingDistance, '{{model_name}} {{source}} {{distance}}'],
      ]),
    )
    .withPanel(
      panel('Outcome join events', 'What the join store counted instead of a join: unknown, late or duplicate outcomes, evicted or expired predictions, bad ids.', 'ops', 8, [
        [QUALITY_QUERIES.outcomeEvents, '{{event}}'],
      ]),
    );
}
