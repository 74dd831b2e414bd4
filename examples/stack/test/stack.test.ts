import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricRelabelConfigs, renderAlertmanagerConfig, renderGrafanaDashboard, renderPrometheusRules } from '@inferometer/ops';
import { requireBinary } from '../../../test/support/binaries.js';

// The local stack: Docker cannot run in this project's CI, so this checks what can
// be checked without it: the configs pass promtool and amtool, every file the
// compose file mounts exists, every host and port the configs name is a
// service and a port of the compose file, and the generated files are what
// the CLI generates today.
const stack = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string): string => readFileSync(join(stack, path), 'utf8');
const REGENERATE = 'regenerate with the commands in examples/stack/README.md';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  networks?: string[];
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service>; volumes: Record<string, unknown>; networks: Record<string, unknown> };
const prometheusConfig = parse(read('prometheus/prometheus.yml')) as {
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[]; metric_relabel_configs?: unknown[] }[];
};
const ALERT_SINK = { model: 'http://alert-sink:8080/model', infrastructure: 'http://alert-sink:8080/infrastructure' };

/** Ports a service listens on inside the network: the container side of `ports`, and `expose`. */
function containerPorts(service: Service): number[] {
  return [...(service.ports ?? []).map((p) => Number(p.split(':').at(-1))), ...(service.expose ?? []).map(Number)];
}

/** Asserts that `host:port` names a compose service that listens on that port. */
function expectServiceAddress(address: string, where: string): void {
  const [host, port] = address.split(':');
  if (host === 'localhost') return;
  const service = compose.services[host!];
  expect(service, `${where}: host ${host} is not a compose service`).toBeDefined();
  expect(containerPorts(service!), `${where}: ${host} does not listen on ${port}`).toContain(Number(port));
}

describe('examples/stack', () => {
  it('has a Prometheus config that promtool check config accepts (rule file included)', () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    const output = execFileSync(promtool, ['check', 'config', join(stack, 'prometheus', 'prometheus.yml')], { encoding: 'utf8' });
    expect(output).toContain('SUCCESS: 52 rules found');
  });

  it('has an Alertmanager config that amtool check-config accepts', () => {
    const amtool = requireBinary('amtool', 'prometheus-alertmanager', 'AMTOOL_BIN');
    const output = execFileSync(amtool, ['check-config', join(stack, 'alertmanager', 'alertmanager.yml')], { encoding: 'utf8' });
    expect(output).toContain('SUCCESS');
    expect(output).toContain('1 inhibit rules');
  });

  it('mounts only files that exist, and declares every named volume', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(join(stack, source)), `${name} mounts ${source}`).toBe(true);
        else expect(compose.volumes, `${name} uses volume ${source}`).toHaveProperty(source);
      }
      if (service.build) expect(existsSync(join(stack, service.build.context, service.build.dockerfile)), `${name} builds ${service.build.dockerfile}`).toBe(true);
      expect(service.networks, `${name} is on the stack network`).toEqual(['inferometer']);
    }
    expect(Object.keys(compose.networks)).toEqual(['inferometer']);
  });

  it('runs the demo, Prometheus, Grafana, Alertmanager and node-exporter', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['demo', 'prometheus', 'grafana', 'alertmanager', 'node-exporter']));
    const prometheus = compose.services.prometheus!;
    expect(prometheus.command).toEqual(expect.arrayContaining(['--storage.tsdb.retention.time=15d', '--storage.tsdb.retention.size=5GB', '--storage.tsdb.path=/prometheus']));
    expect(prometheus.volumes).toContain('prometheus-data:/prometheus');
  });

  it('maps ports that match what the configs name', () => {
    for (const job of prometheusConfig.scrape_configs) {
      for (const target of job.static_configs.flatMap((c) => c.targets)) expectServiceAddress(target, `scrape job ${job.job_name}`);
    }
    for (const target of prometheusConfig.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((c) => c.targets))) expectServiceAddress(target, 'alerting');
    const demo = compose.services.demo!;
    expect(containerPorts(demo)).toEqual([Number(demo.environment!.PORT), Number(demo.environment!.OTEL_EXPORTER_PROMETHEUS_PORT)]);
    expect(Number(compose.services['alert-sink']!.environment!.PORT)).toBe(8080);
    const datasource = (parse(read('grafana/provisioning/datasources/prometheus.yml')) as { datasources: { url: string }[] }).datasources[0]!;
    expectServiceAddress(new URL(datasource.url).host, 'Grafana data source');
    const receivers = (parse(read('alertmanager/alertmanager.yml')) as { receivers: { webhook_configs: { url: string }[] }[] }).receivers;
    for (const url of receivers.flatMap((r) => r.webhook_configs.map((w) => w.url))) expectServiceAddress(new URL(url).host, 'Alertmanager webhook');
    // Prometheus' rule file is mounted beside its config, where rule_files points.
    expect(compose.services.prometheus!.volumes).toContain(`./prometheus/${prometheusConfig.rule_files[0]}:/etc/prometheus/${prometheusConfig.rule_files[0]}:ro`);
    const provider = (parse(read('grafana/provisioning/dashboards/inferometer.yml')) as { providers: { options: { path: string } }[] }).providers[0]!;
    expect(compose.services.grafana!.volumes).toContain(`./grafana/dashboards:${provider.options.path}:ro`);
  });

  it('holds generated files identical to what the inferometer CLI generates', () => {
    expect(read('prometheus/rules.yml'), `prometheus/rules.yml: ${REGENERATE}`).toBe(renderPrometheusRules());
    expect(read('alertmanager/alertmanager.yml'), `alertmanager/alertmanager.yml: ${REGENERATE}`).toBe(
      renderAlertmanagerConfig({ modelWebhookUrl: ALERT_SINK.model, infrastructureWebhookUrl: ALERT_SINK.infrastructure }),
    );
    expect(read('grafana/dashboards/inferometer.json'), `grafana/dashboards/inferometer.json: ${REGENERATE}`).toBe(renderGrafanaDashboard());
    const job = prometheusConfig.scrape_configs.find((j) => j.job_name === 'inferometer')!;
    expect(job.metric_relabel_configs, `prometheus.yml metric_relabel_configs: ${REGENERATE}`).toEqual(metricRelabelConfigs({ keepOnlyCatalog: true }));
  });
});
