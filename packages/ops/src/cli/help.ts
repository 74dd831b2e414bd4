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
      --ttft-p95-seconds N         time to first token p95 threshold, seconds (default 2)
      --cut-short-ratio N          share of generations ended by length or content_filter (default 0.1)
      --accuracy-reference N       the model's validation accuracy, 0 to 1 (default 0.9)
      --accuracy-margin N          points below the reference before the accuracy alerts fire (default 0.05)
      --calibration-gap N          mean confidence minus realised accuracy allowed (default 0.1)
      --data-quality-ratio N       share of rows with one issue in one feature (default 0.05)
      --min-outcomes N             outcomes in 5 minutes before accuracy alerts may fire (default 30)
      --for DURATION               how long before an alert fires (default 5m)
      --runbook-url URL            where you publish RUNBOOK.md (each alert adds #<alertname>);
                                   without it alerts name node_modules/@inferometer/ops/RUNBOOK.md
  inferometer alertmanager [flags] > alertmanager.yml Alertmanager routing for those alerts
      --model-webhook URL          receives model alerts (required)
      --infrastructure-webhook URL receives infrastructure alerts (required)
      --group-wait D --group-interval D --repeat-interval D   (defaults 30s, 5m, 4h)
  inferometer relabel [--keep-only-catalog]          metric_relabel_configs for the scrape job
  inferometer scrapeconfig [flags] > scrape.yml       Prometheus scrape_configs job, one target per pm2 instance
      --instances N                pm2 instances per host: ports PORT..PORT+N-1 (default 1)
      --port N                     first instance's port, OTEL_EXPORTER_PROMETHEUS_PORT (default 9464)
      --host H1,H2                 hosts running the app (default localhost)
      --job NAME                   job_name, the job label rules and dashboard select on (default inferometer)
      --interval D --scrape-timeout D   (default: the global ones)
      --keep-only-catalog          keep only the catalog's series

Scale out (README "Scale-out"):
  inferometer agentconfig [flags] > agent.yml         Prometheus agent-mode config: the scrapeconfig job + remote_write
      --remote-write-url URL       central receiver, e.g. http://vm:8428/api/v1/write (required)
      --send-deadline D            queue_config.batch_send_deadline (default Prometheus' 5s)
      and every flag of inferometer scrapeconfig
      run: prometheus --enable-feature=agent --storage.agent.path=DIR --config.file=agent.yml
  inferometer vmagent --shard-url URL --shard-url URL ... [flags]
                                   vmagent sharding: writes shard-<i>.yml relabel files and prints
                                   the -remoteWrite.url / -remoteWrite.urlRelabelConfig flags
      --shard-url URL              one storage's remote write URL, in shard order (at least 2)
      --shard-by L1,L2             labels hashed (default __name__,job,instance)
      --relabel-dir DIR            where the files are written and the flags point (default .)

Kubernetes objects (apply with kubectl apply -f FILE):
  inferometer servicemonitor [flags] > sm.yml         ServiceMonitor (prometheus-operator)
  inferometer podmonitor [flags] > pm.yml             PodMonitor (prometheus-operator)
      --name NAME --namespace NS   metadata (default name inferometer)
      --labels k=v,...             metadata.labels, e.g. release=kube-prometheus-stack
      --selector k=v,...           Services / Pods to scrape (default app.kubernetes.io/name=NAME)
      --port NAME                  name of the metrics port (default metrics)
      --path PATH --interval D     (defaults /metrics and the Prometheus resource's interval)
      --job NAME                   job label of the scraped series (default inferometer)
      --keep-only-catalog          keep only the catalog's series
  inferometer prometheusrule [flags] > rules.yml      PrometheusRule with the groups of inferometer rules
      --name --namespace --labels, and the flags of inferometer rules
  inferometer scaledobject [flags] > keda.yml         KEDA ScaledObject on in-flight predictions
      --deployment NAME            Deployment to scale (required)
      --server-address URL         Prometheus URL (required)
      --threshold N                in-flight predictions per replica (required)
      --min-replicas N --max-replicas N   (defaults 1 and 10)
      --job NAME --model NAME      which series count (defaults inferometer, every model)
      --name --namespace --labels  metadata (default name: the Deployment's)

Check a live endpoint from your terminal:
  inferometer doctor <metrics-url> [--prometheus URL] [--timeout-ms N] [--max-series N] [--report FILE.html]
      exit 0 healthy, 1 a check failed, 2 bad usage
      --report FILE.html also writes the model health page (the view of GET / on
      the endpoint) from the same scrape: current values only, to attach to an incident

Durations use Prometheus syntax (30s, 5m, 1h30m).
`;

/** Package version, printed by --version (generated from package.json). */
export { VERSION } from '../version.js';
