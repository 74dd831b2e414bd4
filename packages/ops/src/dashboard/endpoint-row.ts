/**
 * The dashboard row of the exporters' own health: the pull endpoint's
 * requests by code, its refusals and failed collections, its collect and
 * encode times (`inferometer_scrape_*`, `@inferometer/node/catalog`), and
 * the remote-write exporter's queue, drops and retries
 * (`@inferometer/exporter-remote-write/catalog`). Prometheus keeps a failed
 * scrape's last values, so the model panels look calm while scrapes fail:
 * this row says so. Names come from the catalogs, never typed here.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import { RowBuilder, ThresholdsConfigBuilder, ThresholdsMode, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { ATTR_REASON } from '@inferometer/core/catalog';
import { ATTR_ERROR_CAUSE, ATTR_SCRAPE_CODE, ATTR_SCRAPE_FORMAT } from '@inferometer/node/catalog';
import {
  METRIC_REMOTE_WRITE_DROPPED,
  METRIC_REMOTE_WRITE_PENDING,
  METRIC_REMOTE_WRITE_RETRIED,
  METRIC_SCRAPE_COLLECT_DURATION,
  METRIC_SCRAPE_ENCODE_DURATION,
  METRIC_SCRAPE_ERRORS,
  METRIC_SCRAPE_REFUSALS,
  METRIC_SCRAPE_REQUESTS,
} from '../catalog.js';
import { SCRAPE_FAILURE_RATIO, scrapeFailureRatio } from '../rules/endpoint.js';
import { panel } from './panels.js';
import { VARIABLES } from './queries.js';

/** Title of the row. */
export const ENDPOINT_ROW_TITLE = 'Metrics endpoint and exporters';

const JOB = `job=~"$${VARIABLES.job}"`;

/** The row's PromQL, per instance. */
export const ENDPOINT_QUERIES = {
  requestsByCode: `sum by (instance, ${ATTR_SCRAPE_CODE}) (rate(${METRIC_SCRAPE_REQUESTS.prometheusName}{${JOB}}[5m]))`,
  failureRatio: scrapeFailureRatio(JOB, '5m'),
  // Every reason and cause is exported at 0 from the first scrape: a flat line at 0 is the healthy reading.
  refusalsByReason: `sum by (instance, ${ATTR_REASON}) (rate(${METRIC_SCRAPE_REFUSALS.prometheusName}{${JOB}}[5m]))`,
  errorsByCause: `sum by (instance, ${ATTR_ERROR_CAUSE}) (rate(${METRIC_SCRAPE_ERRORS.prometheusName}{${JOB}}[5m]))`,
  collectP99: `histogram_quantile(0.99, sum by (instance, le) (rate(${METRIC_SCRAPE_COLLECT_DURATION.prometheusName}_bucket{${JOB}}[5m])))`,
  encodeP99: `histogram_quantile(0.99, sum by (instance, ${ATTR_SCRAPE_FORMAT}, le) (rate(${METRIC_SCRAPE_ENCODE_DURATION.prometheusName}_bucket{${JOB}}[5m])))`,
  // Remote-written series carry the job the exporter gives them, not the scrape job: not filtered by it.
  remoteWritePending: `max by (job, instance) (${METRIC_REMOTE_WRITE_PENDING.prometheusName})`,
  remoteWriteDropped: `sum by (job, instance, ${ATTR_REASON}) (rate(${METRIC_REMOTE_WRITE_DROPPED.prometheusName}[5m]))`,
  remoteWriteRetried: `sum by (job, instance) (rate(${METRIC_REMOTE_WRITE_RETRIED.prometheusName}[5m]))`,
} as const;

/**
 * Adds the row to `builder`; the failure-ratio panel draws the
 * ModelScrapesFailing threshold.
 *
 * @example
 * ```ts
 * withEndpointRow(builder);
 * ```
 */
export function withEndpointRow(builder: DashboardBuilder): DashboardBuilder {
  return builder
    .withRow(new RowBuilder(ENDPOINT_ROW_TITLE))
    .withPanel(
      panel('Scrapes by status code', 'Requests to the pull endpoint per second by HTTP status: 200, 503 (refused or timed out), 500 (a collection failed), 401 (basic auth), 405. A request is counted once answered, so a failed scrape shows in the next good one.', 'reqps', 6, [
        [ENDPOINT_QUERIES.requestsByCode, '{{instance}} {{code}}'],
      ]),
    )
    .withPanel(
      panel('Scrapes not answered 200', `Share of the endpoint's requests refused, timed out or failed; the dashed line is the ModelScrapesFailing threshold (${SCRAPE_FAILURE_RATIO}).`, 'percentunit', 6, [[ENDPOINT_QUERIES.failureRatio, '{{instance}}']])
        .max(1)
        .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: 'green' }, { value: SCRAPE_FAILURE_RATIO, color: 'red' }]))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)),
    )
    .withPanel(
      panel('Refusals and failed collections', 'Refused scrapes per second by reason (concurrency, timeout, unauthorized, method, cut_off, collections_pending, auth_busy) and failed collections by cause (callback: an observable callback threw; producer; timeout; encode).', 'ops', 6, [
        [ENDPOINT_QUERIES.refusalsByReason, '{{instance}} refused: {{reason}}'],
        [ENDPOINT_QUERIES.errorsByCause, '{{instance}} failed: {{cause}}'],
      ]),
    )
    .withPanel(
      panel('Collect and encode time p99', 'How long the collection behind a scrape (observable callbacks, producers) and the rendering of its body take; near the scrape timeout, scrapes are about to time out.', 's', 6, [
        [ENDPOINT_QUERIES.collectP99, '{{instance}} collect'],
        [ENDPOINT_QUERIES.encodeP99, '{{instance}} encode {{format}}'],
      ]),
    )
    .withPanel(
      panel('Remote write queue', 'Samples waiting in the remote-write queue: a queue that never empties and grows is falling behind (ModelRemoteWriteBehind).', 'short', 12, [
        [ENDPOINT_QUERIES.remoteWritePending, '{{job}} {{instance}}'],
      ]),
    )
    .withPanel(
      panel('Remote write drops and retries', 'Samples per second given up by reason (queue_full: falling behind; rejected: bad data; unsupported; shutdown) and sent again after a retryable failure.', 'ops', 12, [
        [ENDPOINT_QUERIES.remoteWriteDropped, '{{job}} {{instance}} dropped: {{reason}}'],
        [ENDPOINT_QUERIES.remoteWriteRetried, '{{job}} {{instance}} retried'],
      ]),
    );
}
