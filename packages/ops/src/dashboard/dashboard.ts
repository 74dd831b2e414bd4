/**
 * `inferometer dashboard`: the Grafana dashboard, built with the typed
 * builders of @grafana/grafana-foundation-sdk: dashboards as code, checked by
 * the compiler against the catalog's names, not hand-written JSON that drifts
 * from them. The classic dashboard model (`dashboard` package of
 * the SDK) is what Grafana's file provisioning loads in every supported
 * version; the v2 model still needs a feature toggle.
 *
 * Layout: a health row first, whose "targets down" stat is red when any model
 * server's scrape fails (the silent failure: every other panel keeps showing
 * the last good scrapes), then traffic and errors, latency, model quality
 * (confidence, drift), versions, the instrumentation itself, and (last) the
 * metrics endpoint's and remote write's own health.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { checkRegex, DEFAULT_JOB, DEFAULT_NODE_JOB, DRIFT_METHODS, resolveThresholds, type TargetOptions, type ThresholdOptions } from '../options.js';
import { LATENCY_PANEL_QUANTILES, NODE_QUERIES, QUERIES, VARIABLE_QUERIES, VARIABLES } from './queries.js';
import { BATCH_SIZE_QUANTILES } from '../rules/recording.js';
import { withGenerativeRow } from './generative-row.js';
import { DATASOURCE } from './panels.js';
import { withQualityRow } from './quality-row.js';
import { withRuntimeRow } from './runtime-row.js';
import { withEndpointRow } from './endpoint-row.js';

/** Options of {@link grafanaDashboard}. */
export interface DashboardOptions extends TargetOptions, ThresholdOptions {
  /**
   * Regular expression matching the `job` label of the node_exporter targets
   * on the model servers' machines, for the Machine row (CPU, memory, disk,
   * load). Default `node`.
   * @example 'node|node-exporter'
   */
  readonly nodeJob?: string;
  /**
   * Dashboard title.
   * @example 'Models: production'
   */
  readonly title?: string;
  /**
   * Dashboard uid (stable across imports, so links keep working).
   * @example 'inferometer-prod'
   */
  readonly uid?: string;
}

/** Default uid: provisioning the file twice updates one dashboard. */
export const DEFAULT_DASHBOARD_UID = 'inferometer-models';
/** Default title. */
export const DEFAULT_DASHBOARD_TITLE = 'Inferometer: models';


function query(expr: string, legend: string, refId = 'A'): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend).refId(refId);
}

function thresholds(red: number | undefined): ThresholdsConfigBuilder {
  const steps = [{ value: null, color: 'green' }];
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(red === undefined ? steps : [...steps, { value: red, color: 'red' }]);
}

function graph(title: string, description: string, unit: string, width = 8): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(width)
    .height(8)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom));
}

/** A graph with the alert threshold drawn as a dashed red line. */
function withThresholdLine(panel: timeseries.PanelBuilder, value: number): timeseries.PanelBuilder {
  return panel.thresholds(thresholds(value)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
}

function bigNumber(title: string, description: string, expr: string, unit: string, red: number | undefined, width: number): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .withTarget(query(expr, title).instant())
    .unit(unit)
    .span(width)
    .height(4)
    .thresholds(thresholds(red))
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/**
 * The Grafana dashboard JSON model that {@link grafanaDashboard} returns
 * (https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/):
 * the `Dashboard` of @grafana/grafana-foundation-sdk, named here by the fields
 * a caller reads. It is declared in this package because the SDK publishes
 * its types only under `exports` subpaths, which TypeScript's
 * `moduleResolution: node10` (module commonjs, the NestJS default) cannot
 * resolve: importing them would break every such consumer's type check.
 *
 * @example
 * ```ts
 * import { grafanaDashboard } from '@inferometer/ops';
 *
 * const dashboard = grafanaDashboard({ job: 'iris' });
 * console.log(dashboard.uid, dashboard.panels?.map((panel) => panel.title));
 * ```
 */
export interface GrafanaDashboard {
  readonly uid?: string;
  readonly title?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly schemaVersion: number;
  readonly refresh?: string;
  readonly time?: { readonly from: string; readonly to: string };
  /** Panels and rows, in layout order; `id` numbers them from 1. */
  readonly panels?: readonly GrafanaPanel[];
  /** The dashboard variables (`job`, `model`, `version`). */
  readonly templating: { readonly list?: readonly { readonly name: string; readonly type: string }[] };
  readonly annotations: { readonly list?: readonly { readonly name: string }[] };
}

/** A panel (or row) of a {@link GrafanaDashboard}: its type (`timeseries`, `stat`, `row`, ...), id and title. */
export interface GrafanaPanel {
  readonly type: string;
  readonly id?: number;
  readonly title?: string;
}

/** The dashboard as the Grafana JSON model. */
export function grafanaDashboard(options: DashboardOptions = {}): GrafanaDashboard {
  const limits = resolveThresholds(options);
  const job = checkRegex('job', options.job ?? DEFAULT_JOB);
  const nodeJob = checkRegex('nodeJob', options.nodeJob ?? DEFAULT_NODE_JOB);
  const node = NODE_QUERIES(nodeJob);
  const builder = new DashboardBuilder(options.title ?? DEFAULT_DASHBOARD_TITLE)
    .uid(options.uid ?? DEFAULT_DASHBOARD_UID)
    .description('Per model and version: traffic, errors, latency, confidence, drift, versions, and whether Prometheus can scrape the model servers at all. Generated by `inferometer dashboard`.')
    .tags(['inferometer', 'mlops'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder(VARIABLES.datasource).label('Data source').type('prometheus'))
    .withVariable(
      new QueryVariableBuilder(VARIABLES.job)
        .label('Job')
        .datasource(DATASOURCE)
        .query({ query: VARIABLE_QUERIES.job(job), refId: 'job' })
        .definition(VARIABLE_QUERIES.job(job))
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        // "All" means the model servers' jobs, not every job Prometheus scrapes.
        .allValue(job),
    )
    .withVariable(
      new QueryVariableBuilder(VARIABLES.model)
        .label('Model')
        .datasource(DATASOURCE)
        .query({ query: VARIABLE_QUERIES.model, refId: 'model' })
        .definition(VARIABLE_QUERIES.model)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    )
    .withVariable(
      new QueryVariableBuilder(VARIABLES.version)
        .label('Version')
        .datasource(DATASOURCE)
        .query({ query: VARIABLE_QUERIES.version, refId: 'version' })
        .definition(VARIABLE_QUERIES.version)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalDesc)
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    )
    .annotation(
      new AnnotationQueryBuilder()
        .name('Model version changes')
        .datasource(DATASOURCE)
        .enable(true)
        .iconColor('purple')
        .expr(QUERIES.versionChanges)
        .titleFormat('active version of {{model_name}} changed')
        .step('1m'),
    );

  builder
    .withRow(new RowBuilder('Health'))
    .withPanel(
      bigNumber(
        'Model server targets down',
        'Scrape targets of the model servers that Prometheus cannot scrape (up == 0). Every other panel keeps showing the last good scrapes of a dead target: this one turns red.',
        QUERIES.targetsDown,
        'none',
        1,
        6,
      ),
    )
    .withPanel(bigNumber('Targets up', 'Model server targets scraped successfully.', QUERIES.targetsUp, 'none', undefined, 4))
    .withPanel(bigNumber('Predictions / s', 'All selected models and versions, over 5 minutes.', QUERIES.requestRate, 'reqps', undefined, 4))
    .withPanel(bigNumber('Worst error ratio', `Highest share of failed predictions of any selected model version; red above the alert threshold (${limits.errorRatio}).`, QUERIES.worstErrorRatio, 'percentunit', limits.errorRatio, 5))
    .withPanel(bigNumber('Worst p99 latency', `Highest p99 latency of any selected model version; red above the alert threshold (${limits.latencyP99Seconds} s).`, QUERIES.worstLatencyP99, 's', limits.latencyP99Seconds, 5));

  builder
    .withRow(new RowBuilder('Traffic and errors'))
    .withPanel(graph('Prediction rate by outcome', 'Predictions per second by model, version and status: success, error, and cancelled (the caller dropped the result unfinished, e.g. a client that disconnected from a stream; not a failure).', 'reqps').withTarget(query(QUERIES.requestRateByStatus, '{{model_name}} {{model_version}} {{status}}')))
    .withPanel(
      withThresholdLine(graph('Error ratio', 'Failed / finished predictions over 5 minutes (cancelled calls and invalid input left out); the dashed line is the alert threshold.', 'percentunit'), limits.errorRatio)
        .min(0)
        .withTarget(query(QUERIES.errorRatio, '{{model_name}} {{model_version}}')),
    )
    .withPanel(graph('Errors by type', 'Failed predictions per second by the error class (error_type).', 'reqps').withTarget(query(QUERIES.errorsByType, '{{model_name}} {{error_type}}')));

  const latency = withThresholdLine(graph('Latency p50 / p95 / p99', 'From the latency histogram over 5 minutes; the dashed line is the p99 alert threshold.', 's'), limits.latencyP99Seconds);
  // The last (highest) quantile is read from the raw buckets with exemplars
  // on: a dot per traced call, linking to its trace (see latencyQuantileFromBuckets).
  LATENCY_PANEL_QUANTILES.forEach(([quantile, legend], i) => {
    const last = i === LATENCY_PANEL_QUANTILES.length - 1;
    const target = query(last ? QUERIES.latencyQuantileFromBuckets(quantile) : QUERIES.latencyQuantile(quantile), `{{model_name}} {{model_version}} ${legend}`, String.fromCharCode(65 + i));
    latency.withTarget(last ? target.exemplar(true) : target);
  });
  const batch = graph('Batch size p50 / p95', 'Items per prediction call.', 'none');
  BATCH_SIZE_QUANTILES.forEach((quantile, i) => batch.withTarget(query(QUERIES.batchSizeQuantile(quantile), `{{model_name}} {{model_version}} p${Number(quantile) * 100}`, String.fromCharCode(65 + i))));
  builder
    .withRow(new RowBuilder('Latency and load'))
    .withPanel(latency)
    .withPanel(graph('In-flight predictions', 'Predictions started and not yet finished.', 'none').withTarget(query(QUERIES.inFlight, '{{model_name}} {{model_version}}')))
    .withPanel(batch);

  builder
    .withRow(new RowBuilder('Model quality'))
    .withPanel(
      new heatmap.PanelBuilder()
        .title('Confidence distribution')
        .description('Predictions per second by confidence bucket (top-class probability). A shift to the left is a model growing unsure.')
        .datasource(DATASOURCE)
        .span(12)
        .height(8)
        .calculate(false)
        .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Le))
        .yAxis(new heatmap.YAxisConfigBuilder().unit('percentunit').decimals(1))
        .color(new heatmap.HeatmapColorOptionsBuilder().mode(heatmap.HeatmapColorMode.Scheme).scheme('Oranges').exponent(0.5).steps(64))
        .withTarget(query(QUERIES.confidenceHeatmap, '{{le}}').format(prometheus.PromQueryFormat.Heatmap)),
    )
    .withPanel(graph('Median confidence', 'Median top-class probability over 5 minutes.', 'percentunit', 12).min(0).max(1).withTarget(query(QUERIES.medianConfidence, '{{model_name}} {{model_version}}')));

  // One panel per method: the methods live on different scales, each with
  // its own alert threshold (the drift README's table).
  for (const m of DRIFT_METHODS) {
    builder.withPanel(
      withThresholdLine(graph(`Data drift: ${m}`, `The ${m} score of each input feature against its reference profile; the dashed line is the ${m} alert threshold (${limits.drift[m]}).`, 'none', 6), limits.drift[m])
        .min(0)
        .withTarget(query(QUERIES.dataDrift(m), '{{model_name}} {{model_version}} {{feature}}')),
    );
  }
  for (const m of DRIFT_METHODS) {
    builder.withPanel(
      withThresholdLine(graph(`Prediction drift: ${m}`, `The ${m} score of the predicted classes or confidence against the reference; the dashed line is the ${m} alert threshold (${limits.drift[m]}).`, 'none', 6), limits.drift[m])
        .min(0)
        .withTarget(query(QUERIES.predictionDrift(m), '{{model_name}} {{model_version}} {{prediction}}')),
    );
  }

  builder
    .withRow(new RowBuilder('Versions'))
    .withPanel(
      graph('Active model version', 'The version that served the latest prediction, encoded as X*1e6 + Y*1e3 + Z for X.Y.Z (1.2.0 is 1002000). Steps are deployments; the purple annotations mark them.', 'none', 12).withTarget(
        query(QUERIES.activeVersion, '{{model_name}}'),
      ),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Versions that served')
        .description('Every model version that has served a prediction since its process started (ml_model_info).')
        .datasource(DATASOURCE)
        .span(12)
        .height(8)
        .withTarget(query(QUERIES.versionsServed, '').format(prometheus.PromQueryFormat.Table).instant()),
    );

  builder
    .withRow(new RowBuilder('Scrape health and instrumentation'))
    .withPanel(graph('Scrape health (up)', '1 when the last scrape of a target succeeded, 0 when it failed.', 'none', 6).min(0).max(1).withTarget(query(QUERIES.up, '{{instance}}')))
    .withPanel(graph('Scrape duration', 'Time Prometheus takes to scrape each target; near the scrape timeout means scrapes are about to fail.', 's', 6).withTarget(query(QUERIES.scrapeDuration, '{{instance}}')))
    .withPanel(graph('Cardinality guard rejections', 'Attribute values the cardinality guard refused or replaced per second.', 'ops', 6).withTarget(query(QUERIES.attributeRejections, '{{metric}} {{attribute}} ({{reason}})')))
    .withPanel(graph('Series per guarded metric', 'Series each guarded metric holds now.', 'none', 6).withTarget(query(QUERIES.guardedSeries, '{{metric}}')))
    .withPanel(graph('Dropped observations', 'Observations the instrumentation left out (a failing extractor, a cap reached), per second.', 'ops', 12).withTarget(query(QUERIES.droppedObservations, '{{model_name}} {{reason}}')));

  builder
    .withRow(new RowBuilder('Machine (node_exporter)'))
    .withPanel(withThresholdLine(graph('CPU busy', 'Share of CPU time not idle, per machine (node_cpu_seconds_total). A saturated CPU shows as latency first.', 'percentunit', 6), 0.9).min(0).max(1).withTarget(query(node.cpuBusy, '{{instance}}')))
    .withPanel(withThresholdLine(graph('Memory available', 'MemAvailable / MemTotal per machine: what the kernel can give without swapping.', 'percentunit', 6), 0.1).min(0).max(1).withTarget(query(node.memoryAvailable, '{{instance}}')))
    .withPanel(withThresholdLine(graph('Disk space available', 'Free share of each real filesystem (node_filesystem_avail_bytes / size; tmpfs and overlays left out).', 'percentunit', 6), 0.1).min(0).max(1).withTarget(query(node.filesystemAvailable, '{{instance}} {{mountpoint}}')))
    .withPanel(graph('Load per CPU', '1-minute load average divided by the CPU count; above 1 the run queue waits.', 'none', 6).min(0).withTarget(query(node.loadPerCpu, '{{instance}}')));

  withQualityRow(builder, limits);
  withGenerativeRow(builder, limits);
  withRuntimeRow(builder, limits);
  withEndpointRow(builder);
  const dashboard = builder.build();
  // Panel ids: Grafana keys panel links, library panels and "view panel" on
  // them; the builders leave them unset, so number them in layout order.
  dashboard.panels?.forEach((panel, i) => {
    panel.id = i + 1;
  });
  return dashboard satisfies Dashboard;
}

/** {@link grafanaDashboard} as JSON text. */
export function renderGrafanaDashboard(options: DashboardOptions = {}): string {
  return `${JSON.stringify(grafanaDashboard(options), null, 2)}\n`;
}
