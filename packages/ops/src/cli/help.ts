/** `inferometer --help`. */
export const HELP = `inferometer: the operations kit of Inferometer (@inferometer/ops)

Generate from the metric catalog, so nothing drifts from the metric names:
  inferometer dashboard [flags] > dashboard.json      Grafana dashboard (JSON model)
      --job REGEX                  job label of the model servers' targets (default inferometer)
      --node-job REGEX             job label of the node_exporter targets (default node)
      --title TEXT --uid UID       dashboard title and uid
      --latency-p99-seconds N  --error-ratio N  --drift-psi N ...   (threshold lines)
  inferometer rules [flags] > rules.yml               Prometheus recording and alerting rules
      --job REGEX                  job label of the model servers' targets (default inferometer)
      --latency-p99-seconds N      p99 latency alert threshold, seconds (default 0.5)
      --error-ratio N              failed / attempted predictions, 0 to 1 (default 0.01)
      --client-error-types REGEX   error_type of invalid input, not counted (default invalid_input)
      --drift-psi N --drift-ks N --drift-js N --drift-chi2 N
                                   drift thresholds per method (defaults 0.25, 0.2, 0.2, 0.5)
      --for DURATION               how long before an alert fires (default 5m)
      --runbook-url URL            where you publish RUNBOOK.md (each alert adds #<alertname>);
                                   without it alerts name node_modules/@inferometer/ops/RUNBOOK.md
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

/** Package version, printed by --version (kept in step with package.json by a test). */
export const VERSION = '0.1.0';
