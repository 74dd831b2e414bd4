/**
 * PromQL of the exporters' own health, shared by the two infrastructure
 * alerts (ModelScrapesFailing, ModelRemoteWriteBehind) and the dashboard's
 * endpoint row: the pull endpoint's `inferometer_scrape_*` self-metrics
 * (`@inferometer/node/catalog`) and the remote-write exporter's
 * `inferometer_remote_write_*` (`@inferometer/exporter-remote-write/catalog`).
 * Names and label values come from those catalogs, never typed here.
 */
import { ATTR_REASON } from '@inferometer/core/catalog';
import { REMOTE_WRITE_DROP_REASONS } from '@inferometer/exporter-remote-write/catalog';
import { METRIC_REMOTE_WRITE_DROPPED, METRIC_REMOTE_WRITE_PENDING, METRIC_SCRAPE_REQUESTS } from '../catalog.js';
import { ATTR_SCRAPE_CODE } from '@inferometer/node/catalog';

/**
 * Share of the endpoint's requests answered with anything but 200 (refused,
 * timed out, failed, unauthorized) past which ModelScrapesFailing fires: 5 %,
 * two failed scrapes in ten minutes at a 15 s interval. One slow scrape on a
 * loaded machine (one in 40) stays under it.
 */
export const SCRAPE_FAILURE_RATIO = 0.05;

/**
 * Failed requests in the window below which ModelScrapesFailing stays quiet
 * whatever the ratio: right after a start (or under a 1 s scrape interval's
 * first minutes) one slow scrape among a few is a large share, not a trend.
 */
export const MIN_FAILED_SCRAPES = 3;

/** Window of the alerts' rates: long enough to hold several scrapes of a 1-minute interval. */
export const HEALTH_WINDOW = '10m';

const OK = '200';
const PER_TARGET = 'job, instance';

/**
 * Share of the endpoint's requests not answered 200 over `window`, per
 * target. The endpoint counts a request once its response is done, so a
 * failed scrape shows in the next successful one: a target whose scrapes
 * all fail has no value here (ModelServerDown covers it: `up` is 0).
 */
export function scrapeFailureRatio(selector: string, window: string = HEALTH_WINDOW): string {
  const requests = METRIC_SCRAPE_REQUESTS.prometheusName;
  const all = `sum by (${PER_TARGET}) (rate(${requests}{${selector}}[${window}]))`;
  // A target that never answered anything but 200 has no such series: 0, not no data.
  return `(sum by (${PER_TARGET}) (rate(${requests}{${selector}, ${ATTR_SCRAPE_CODE}!="${OK}"}[${window}])) or 0 * ${all}) / ${all}`;
}

/** ModelScrapesFailing: the failure ratio over {@link SCRAPE_FAILURE_RATIO}, with at least {@link MIN_FAILED_SCRAPES} failed requests in the window. */
export function scrapesFailing(selector: string, window: string = HEALTH_WINDOW): string {
  const failed = `sum by (${PER_TARGET}) (increase(${METRIC_SCRAPE_REQUESTS.prometheusName}{${selector}, ${ATTR_SCRAPE_CODE}!="${OK}"}[${window}]))`;
  return `(${scrapeFailureRatio(selector, window)} > ${SCRAPE_FAILURE_RATIO}) and on (${PER_TARGET}) (${failed} >= ${MIN_FAILED_SCRAPES})`;
}

/** Samples per second the remote-write exporter gave up on because its queue was full: it cannot keep up. */
export function remoteWriteQueueFullRate(selector = '', window: string = HEALTH_WINDOW): string {
  const matchers = [selector, `${ATTR_REASON}="${REMOTE_WRITE_DROP_REASONS.queueFull}"`].filter((m) => m !== '').join(', ');
  return `sum by (${PER_TARGET}) (rate(${METRIC_REMOTE_WRITE_DROPPED.prometheusName}{${matchers}}[${window}]))`;
}

/**
 * Remote write falling behind: samples dropped for a full queue, or a queue
 * that never emptied over the window and still grows (the receiver is slower
 * than the exporter, or unreachable and retried). The remote-written series
 * carry the job the exporter gives them, not a scrape job, so the selector
 * is left empty by the alert.
 */
export function remoteWriteBehind(selector = '', window: string = HEALTH_WINDOW): string {
  const pending = `${METRIC_REMOTE_WRITE_PENDING.prometheusName}${selector === '' ? '' : `{${selector}}`}`;
  return (
    `${remoteWriteQueueFullRate(selector, window)} > 0 or ` +
    `(max by (${PER_TARGET}) (min_over_time(${pending}[${window}])) > 0 and max by (${PER_TARGET}) (deriv(${pending}[${window}])) > 0)`
  );
}
