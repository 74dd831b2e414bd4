/**
 * The names the remote write encoder gives to metrics and labels: core's
 * Prometheus translation, the one the pull endpoint's serializer uses, so a
 * data point has the same family name, type and labels on both paths.
 */
import { prometheusBucketBound, prometheusFamilyName, prometheusLabels, prometheusType, reservedLabels } from '@inferometer/core/internal';

export { prometheusLabels, prometheusType, reservedLabels };
export type { PrometheusLabel, PrometheusType } from '@inferometer/core/internal';
export { prometheusLabelName, prometheusLabelValue } from '@inferometer/core/internal';

/** The `le` value of a bucket bound, `+Inf` for the open bucket. */
export const bucketBound = prometheusBucketBound;

/** The family name of a metric as the pull endpoint shows it; `undefined` when nothing usable is left. */
export const prometheusMetricName = prometheusFamilyName;
