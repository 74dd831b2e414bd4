/** `inferometer --help`. */
export const HELP = `inferometer: the operations kit of Inferometer (@inferometer/ops)

Generate from the metric catalog, so nothing drifts from the metric names:
  inferometer dashboard [flags] > dashboard.json      Grafana dashboard (JSON model)
      --job REGEX                  job label of the model servers' targets (default inferometer)
      --title TEXT --uid UID       dashboard title and uid
      --latency-p99-seconds N      --error-ratio N   --drift-score N   (threshold lines)
  inferometer rules [flags] > rules.yml               Prometheus recording and alerting rules
      --job REGEX                  job label of the model servers' targets (default inferometer)
      --latency-p99-seconds N      p99 latency alert threshold, seconds (default 0.5)
      --error-ratio N              failed / all predictions, 0 to 1 (default 0.01)
      --drift-score N              drift alert threshold (default 0.25)
      --for DURATION               how long before an alert fires (default 5m)
      --runbook-url URL            base URL of the runbooks (each alert adds #<alertname>)
  inferometer alertmanager [flags] > alertmanager.yml Alertmanager routing for those alerts
      --model-webhook URL          receives model alerts (required)
      --infrastructure-webhook URL receives infrastructure alerts (required)
      --group-wait D --group-interval D --repeat-interval D   (defaults 30s, 5m, 4h)
  inferometer relabel [--keep-only-catalog]          metric_relabel_configs for the scrape job

Check a live endpoint from your terminal:
  inferometer doctor <metrics-url> [--prometheus URL] [--timeout-ms N] [--max-series N]
      exit 0 healthy, 1 a check failed, 2 bad usage

Durations use Prometheus syntax (30s, 5m, 1h30m).
`;

/** Package version, printed by --version (generated from package.json). */
export { VERSION } from '../version.js';
