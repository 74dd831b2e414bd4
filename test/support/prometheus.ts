// One implementation for the packages' tests and the end-to-end suite: @inferometer/testing.
export { startPrometheus, startPrometheusWithConfig } from '@inferometer/testing';
export type { PrometheusExtras, PrometheusServer, PrometheusTarget } from '@inferometer/testing';
