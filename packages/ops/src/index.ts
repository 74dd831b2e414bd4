// The public API of @inferometer/ops, listed by hand; what this file does not
// name is internal. The `inferometer` CLI (cli.ts) is built on these.
export { grafanaDashboard, renderGrafanaDashboard, DEFAULT_DASHBOARD_TITLE, DEFAULT_DASHBOARD_UID } from './dashboard/dashboard.js';
export type { DashboardOptions } from './dashboard/dashboard.js';
export { NODE_QUERIES as DASHBOARD_NODE_QUERIES, QUERIES as DASHBOARD_QUERIES, VARIABLE_QUERIES as DASHBOARD_VARIABLE_QUERIES } from './dashboard/queries.js';
export { prometheusRules, renderPrometheusRules, RULE_GROUPS } from './rules/rule-file.js';
export type { RuleFile, RulesOptions } from './rules/rule-file.js';
export { RECORDED, RATE_WINDOW, LATENCY_QUANTILES, BATCH_SIZE_QUANTILES } from './rules/recording.js';
export type { RecordingRule } from './rules/recording.js';
export { ALERT_NAMES, CATEGORY_INFRASTRUCTURE, CATEGORY_MODEL, LABEL_CATEGORY, RUNBOOK_PATH, runbookAnchor } from './rules/alerts.js';
export type { AlertingRule, AlertName } from './rules/alerts.js';
export { alertmanagerConfig, renderAlertmanagerConfig, GROUP_BY, RECEIVERS } from './alertmanager/config.js';
export type { AlertmanagerOptions } from './alertmanager/config.js';
export { catalogSeriesRegex, metricRelabelConfigs, renderMetricRelabelConfigs } from './prometheus/relabel.js';
export type { RelabelConfig, RelabelOptions } from './prometheus/relabel.js';
export { runDoctor, formatDoctorReport, DEFAULT_MAX_SERIES_PER_METRIC } from './doctor/doctor.js';
export type { CheckResult, CheckStatus, DoctorOptions, DoctorReport } from './doctor/doctor.js';
export { parseExposition } from './doctor/exposition.js';
export type { Exposition, Family, Sample } from './doctor/exposition.js';
export { DEFAULT_CLIENT_ERROR_TYPES, DEFAULT_DRIFT_THRESHOLDS, DEFAULT_FOR, DEFAULT_JOB, DEFAULT_NODE_JOB, DEFAULT_THRESHOLDS, DRIFT_METHODS, OpsConfigError } from './options.js';
export type { AlertThresholds, DriftMethodName, TargetOptions, ThresholdOptions } from './options.js';
export { main } from './cli/main.js';
export type { CliIo } from './cli/main.js';
