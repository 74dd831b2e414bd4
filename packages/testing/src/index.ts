// @inferometer/testing: helpers the packages' tests and the end-to-end suite
// share. Private, never published; listed by hand like the public barrels.
export { requireBinary } from './binaries.js';
export { eventually, freePort } from './ports.js';
export { promQlClient, spawnServer } from './server-process.js';
export type { PromQlClient, ServerProcess } from './server-process.js';
export { startPrometheus, startPrometheusWithConfig } from './prometheus.js';
export type { PrometheusExtras, PrometheusServer, PrometheusTarget } from './prometheus.js';
export { serveMetrics } from './http.js';
export { setupTestMetrics } from './metrics.js';
export type { TestHistogramPoint, TestMetrics } from './metrics.js';
export { parseExposition, parseStrict, sampleKey, sampleMap, seriesCount } from './exposition.js';
export type { Exposition, Family, Sample, StrictExposition } from './exposition.js';
export { decodeBody, decodeProtobuf, labelsOf, seriesKey, WriteRequestType } from './remote-write.js';
export type { DecodedMetadata, DecodedSeries, DecodedWriteRequest } from './remote-write.js';
