/**
 * The dashboard row that sets model latency beside the process that serves
 * it: event-loop lag, CPU and event-loop utilisation, heap and GC, per
 * instance. A p99 that rises with event-loop lag or GC time is the process,
 * not the model. The runtime series are prom-client's `collectDefaultMetrics()`
 * names, which `start()` of @inferometer/node exposes too (so the row also
 * works for a service that registers prom-client itself); they are read from
 * `@inferometer/node/catalog`, never typed here.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import { RowBuilder, ThresholdsConfigBuilder, ThresholdsMode, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION, METRIC_PREDICTION_LATENCY } from '@inferometer/core/catalog';
import { RUNTIME_CPU, RUNTIME_EVENTLOOP_LAG_P99, RUNTIME_EVENTLOOP_UTILIZATION, RUNTIME_GC_DURATION, RUNTIME_HEAP_USED } from '../catalog.js';
import { VARIABLES } from './queries.js';

/** Title of the row. */
export const RUNTIME_ROW_TITLE = 'Process beside the model';

const JOB = `job=~"$${VARIABLES.job}"`;
const SERIES = `${JOB}, ${ATTR_MODEL_NAME}=~"$${VARIABLES.model}", ${ATTR_MODEL_VERSION}=~"$${VARIABLES.version}"`;

/**
 * The row's PromQL. Per instance, so the raw latency histogram (the recording
 * rules sum instances away).
 */
export const RUNTIME_QUERIES = {
  // Classic buckets, or the native histogram where only that is served.
  latencyP99ByInstance: `histogram_quantile(0.99, sum by (instance, le) (rate(${METRIC_PREDICTION_LATENCY.prometheusName}_bucket{${SERIES}}[5m]))) or histogram_quantile(0.99, sum by (instance) (rate(${METRIC_PREDICTION_LATENCY.prometheusName}{${SERIES}}[5m])))`,
  eventLoopLagP99: `max by (instance) (${RUNTIME_EVENTLOOP_LAG_P99.prometheusName}{${JOB}})`,
  cpu: `sum by (instance) (rate(${RUNTIME_CPU.prometheusName}{${JOB}}[5m]))`,
  eventLoopUtilization: `max by (instance) (${RUNTIME_EVENTLOOP_UTILIZATION.prometheusName}{${JOB}})`,
  heapUsed: `sum by (instance) (${RUNTIME_HEAP_USED.prometheusName}{${JOB}})`,
  gcTimeShare: `sum by (instance, ${RUNTIME_GC_DURATION.attributes[0]}) (rate(${RUNTIME_GC_DURATION.prometheusName}_sum{${JOB}}[5m]))`,
} as const;

const DATASOURCE = { type: 'prometheus', uid: `\${${VARIABLES.datasource}}` };

function panel(title: string, description: string, unit: string, queries: readonly (readonly [string, string])[]): timeseries.PanelBuilder {
  const builder = new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(6)
    .height(8)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom));
  queries.forEach(([expr, legend], i) => builder.withTarget(new prometheus.DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend).refId(String.fromCharCode(65 + i))));
  return builder;
}

/**
 * Adds the row to `builder`; the latency panel draws the p99 alert threshold.
 *
 * @example
 * ```ts
 * withRuntimeRow(builder, { latencyP99Seconds: 0.5 });
 * ```
 */
export function withRuntimeRow(builder: DashboardBuilder, limits: { readonly latencyP99Seconds: number }): DashboardBuilder {
  const latency = panel('p99 latency and event-loop lag', 'Model p99 latency per instance beside the p99 event-loop delay of the same process: when both rise together, predictions wait for the event loop, not for the model. The dashed line is the p99 alert threshold.', 's', [
    [RUNTIME_QUERIES.latencyP99ByInstance, '{{instance}} prediction p99'],
    [RUNTIME_QUERIES.eventLoopLagP99, '{{instance}} event-loop lag p99'],
  ])
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: 'green' }, { value: limits.latencyP99Seconds, color: 'red' }]))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  return builder
    .withRow(new RowBuilder(RUNTIME_ROW_TITLE))
    .withPanel(latency)
    .withPanel(
      panel('CPU and event-loop utilisation', 'CPU time per second (1 = one core busy) and the share of time the event loop was busy. A loop near 100 % queues every prediction behind the one running.', 'percentunit', [
        [RUNTIME_QUERIES.cpu, '{{instance}} CPU'],
        [RUNTIME_QUERIES.eventLoopUtilization, '{{instance}} event loop busy'],
      ]).min(0),
    )
    .withPanel(panel('Heap used', 'V8 heap in use per instance.', 'bytes', [[RUNTIME_QUERIES.heapUsed, '{{instance}}']]).min(0))
    .withPanel(panel('Time in GC', 'Seconds of garbage collection per second, by kind: the share of time the process stood still.', 'percentunit', [[RUNTIME_QUERIES.gcTimeShare, '{{instance}} {{kind}}']]).min(0));
}
