/**
 * The dashboard row of generative models (core's `llm` option): time to
 * first token and per output token, tokens per second by type, how calls
 * finished, and time per phase. The series exist only for models that
 * stream or report usage, so for a classic model the panels stay empty
 * rather than wrong. Quantiles and rates come from the recording rules.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import { RowBuilder, ThresholdsConfigBuilder, ThresholdsMode, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { panel } from './panels.js';
import { ATTR_FINISH_REASON, ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ATTR_PHASE, ATTR_TOKEN_TYPE } from '@inferometer/core/catalog';
import { RECORDED } from '../rules/recording.js';
import { VARIABLES } from './queries.js';

/** Title of the row. */
export const GENERATIVE_ROW_TITLE = 'Generative models';

const SERIES = `job=~"$${VARIABLES.job}", ${ATTR_MODEL_NAME}=~"$${VARIABLES.model}", ${ATTR_MODEL_VERSION}=~"$${VARIABLES.version}"`;
const PER_VERSION = `${ATTR_MODEL_NAME}, ${ATTR_MODEL_VERSION}`;

/** The row's PromQL, all on recorded series. */
export const GENERATIVE_QUERIES = {
  timeToFirstTokenP95: `max by (${PER_VERSION}) (${RECORDED.timeToFirstItemQuantiles}{${SERIES}, quantile="0.95"})`,
  timePerOutputTokenP95: `max by (${PER_VERSION}) (${RECORDED.timePerOutputTokenQuantiles}{${SERIES}, quantile="0.95"})`,
  tokensPerSecond: `sum by (${ATTR_MODEL_NAME}, ${ATTR_TOKEN_TYPE}) (${RECORDED.tokenRate}{${SERIES}})`,
  finishReasons: `sum by (${ATTR_MODEL_NAME}, ${ATTR_FINISH_REASON}) (${RECORDED.finishReasonRate}{${SERIES}})`,
  cutShortRatio: `max by (${PER_VERSION}) (${RECORDED.cutShortRatio}{${SERIES}})`,
  phaseP95: `max by (${ATTR_MODEL_NAME}, ${ATTR_PHASE}) (${RECORDED.phaseQuantiles}{${SERIES}, quantile="0.95"})`,
} as const;

const dashed = (p: timeseries.PanelBuilder, value: number): timeseries.PanelBuilder =>
  p
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: 'green' }, { value, color: 'red' }]))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));

/**
 * Adds the row to `builder`; the time-to-first-token and finish-reason
 * panels draw their alert thresholds.
 *
 * @example
 * ```ts
 * withGenerativeRow(builder, { ttftP95Seconds: 2, cutShortRatio: 0.1 });
 * ```
 */
export function withGenerativeRow(builder: DashboardBuilder, limits: { readonly ttftP95Seconds: number; readonly cutShortRatio: number }): DashboardBuilder {
  return builder
    .withRow(new RowBuilder(GENERATIVE_ROW_TITLE))
    .withPanel(
      dashed(
        panel('Time to first token p95', `From the call to the first streamed item (the first token) over 5 minutes; the dashed line is the alert threshold (${limits.ttftP95Seconds} s). Streams only.`, 's', 8, [
          [GENERATIVE_QUERIES.timeToFirstTokenP95, '{{model_name}} {{model_version}}'],
        ]),
        limits.ttftP95Seconds,
      ),
    )
    .withPanel(
      panel('Time per output token p95', 'Time from the first token to the end divided by the output tokens after the first, per streamed call that succeeded: the decode speed users see.', 's', 8, [
        [GENERATIVE_QUERIES.timePerOutputTokenP95, '{{model_name}} {{model_version}}'],
      ]),
    )
    .withPanel(
      panel('Tokens per second by type', 'Tokens the provider reported per second: input (including the cached part), output, and the input served from the prompt cache.', 'short', 8, [
        [GENERATIVE_QUERIES.tokensPerSecond, '{{model_name}} {{token_type}}'],
      ]),
    )
    .withPanel(
      panel('Finish reasons', 'Generative calls per second by how they ended: stop, length (token limit), content_filter, tool_call, error, cancelled (the client went away), other.', 'reqps', 8, [
        [GENERATIVE_QUERIES.finishReasons, '{{model_name}} {{finish_reason}}'],
      ]),
    )
    .withPanel(
      dashed(
        panel('Answers cut short', `Share of finished calls that ended on length or content_filter; the dashed line is the alert threshold (${limits.cutShortRatio}).`, 'percentunit', 8, [
          [GENERATIVE_QUERIES.cutShortRatio, '{{model_name}} {{model_version}}'],
        ]).max(1),
        limits.cutShortRatio,
      ),
    )
    .withPanel(
      panel('Phase time p95', 'Time per call in each phase: queue (arrival to call), preprocess, inference, postprocess. A growing queue phase is waiting, not the model.', 's', 8, [
        [GENERATIVE_QUERIES.phaseP95, '{{model_name}} {{phase}}'],
      ]),
    );
}
