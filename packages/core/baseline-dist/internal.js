export { prometheusBucketBound, prometheusLabelName, prometheusLabelValue, prometheusMetricName } from './chunk-XIWN7QPI.js';
//# sourceMappingURL=internal.js.map
//# sourceMappingURL=internal.js.map