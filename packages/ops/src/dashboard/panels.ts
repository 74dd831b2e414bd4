import * as common from '@grafana/grafana-foundation-sdk/common';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { VARIABLES } from './queries.js';

/** The Prometheus data source every panel reads, chosen by the dashboard's variable. */
export const DATASOURCE = { type: 'prometheus', uid: `\${${VARIABLES.datasource}}` };

/**
 * A time-series panel of the rows (generative, model quality): a legend at the
 * bottom, a floor of 0, one query per `[expr, legend]`, refIds A, B, ...
 */
export function panel(title: string, description: string, unit: string, width: number, queries: readonly (readonly [string, string])[]): timeseries.PanelBuilder {
  const builder = new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(width)
    .height(8)
    .min(0)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom));
  queries.forEach(([expr, legend], i) => builder.withTarget(new prometheus.DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend).refId(String.fromCharCode(65 + i))));
  return builder;
}
