/**
 * The `inferometer` command line. `main` takes the arguments and the output
 * streams and returns the exit code, so tests run it in-process; `cli.ts`
 * is the thin bin around it.
 *
 * Exit codes: 0 done (doctor: healthy), 1 doctor found a problem, 2 bad usage
 * (the message names the flag and the accepted values).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderAlertmanagerConfig } from '../alertmanager/config.js';
import { renderGrafanaDashboard } from '../dashboard/dashboard.js';
import { formatDoctorReport, inspect } from '../doctor/doctor.js';
import { renderHealthReport } from '../doctor/report.js';
import { didYouMean } from '@inferometer/core/internal';
import { checkDuration, checkNumber, checkRegex, checkUrl, OpsConfigError } from '../options.js';
import { renderMetricRelabelConfigs } from '../prometheus/relabel.js';
import { checkHost, checkWhole, DEFAULT_PULL_PORT, MAX_INSTANCES, renderScrapeConfig, type ScrapeConfigOptions } from '../prometheus/scrape.js';
import { renderPrometheusRules } from '../rules/rule-file.js';
import { renderAgentConfig } from '../scaleout/agent.js';
import { renderVmagentCommand, vmagentSharding } from '../scaleout/vmagent.js';
import { KUBERNETES_FLAGS, runKubernetesCommand } from '../kubernetes/cli.js';
import { HELP, VERSION } from './help.js';
import { RULES_FLAGS, THRESHOLD_FLAGS, rulesOptionsFromFlags, thresholdsFromFlags } from './rules-flags.js';

/** Where the CLI writes. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

type FlagSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

const SCRAPE_FLAGS = {
  job: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  instances: { type: 'string' },
  interval: { type: 'string' },
  'scrape-timeout': { type: 'string' },
  'keep-only-catalog': { type: 'boolean' },
} as const satisfies FlagSpec;

/** Accepted flags per command. */
export const COMMAND_FLAGS = {
  dashboard: { job: { type: 'string' }, 'node-job': { type: 'string' }, title: { type: 'string' }, uid: { type: 'string' }, ...THRESHOLD_FLAGS },
  rules: RULES_FLAGS,
  alertmanager: {
    'model-webhook': { type: 'string' },
    'infrastructure-webhook': { type: 'string' },
    'group-wait': { type: 'string' },
    'group-interval': { type: 'string' },
    'repeat-interval': { type: 'string' },
  },
  relabel: { 'keep-only-catalog': { type: 'boolean' } },
  scrapeconfig: SCRAPE_FLAGS,
  agentconfig: { ...SCRAPE_FLAGS, 'remote-write-url': { type: 'string' }, 'send-deadline': { type: 'string' } },
  vmagent: { 'shard-url': { type: 'string', multiple: true }, 'shard-by': { type: 'string' }, 'relabel-dir': { type: 'string' } },
  doctor: { prometheus: { type: 'string' }, 'timeout-ms': { type: 'string' }, 'max-series': { type: 'string' }, report: { type: 'string' } },
  ...KUBERNETES_FLAGS,
} as const satisfies Record<string, FlagSpec>;

/** The commands. */
export type Command = keyof typeof COMMAND_FLAGS;
const COMMANDS = Object.keys(COMMAND_FLAGS) as Command[];

/** A usage error: printed with the command's name, exit code 2. */
class UsageError extends Error {}

function parse(command: Command, args: string[], positionals: number): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const flags: FlagSpec = { ...COMMAND_FLAGS[command], help: { type: 'boolean' } };
  const accepted = Object.keys(COMMAND_FLAGS[command]).map((f) => `--${f}`).join(', ') || '(none)';
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: flags, strict: true, allowPositionals: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const flag = /'(-{1,2}[^' ]+)/.exec((err as Error).message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const near = didYouMean(flag, Object.keys(COMMAND_FLAGS[command]).map((f) => `--${f}`));
      throw new UsageError(`unknown flag ${flag};${near === undefined ? '' : ` did you mean ${near}?`} accepted flags: ${accepted}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/ambiguous/.test((err as Error).message)) throw new UsageError(`flag ${flag}: give a value that starts with "-" as ${flag}=VALUE`);
      throw new UsageError(`flag ${flag} needs a value (--flag value or --flag=value)`);
    }
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals])}; accepted flags: ${accepted}`);
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

const str = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

const optional = <T>(value: T | undefined, key: string): Record<string, T> => (value === undefined ? {} : { [key]: value });

/** The scrape job's options from the flags of scrapeconfig and agentconfig; a mistake names the flag. */
function scrapeOptionsFromFlags(values: Record<string, string | boolean | undefined>): ScrapeConfigOptions {
  const host = str(values.host);
  return {
    ...optional(str(values.job), 'job'),
    ...optional(
      host === undefined
        ? undefined
        : host.split(',').map((h) => {
            checkHost(h.trim(), '--host');
            return h.trim();
          }),
      'hosts',
    ),
    ...optional(values.port === undefined ? undefined : checkWhole('--port', values.port, 1, 65535, String(DEFAULT_PULL_PORT)), 'port'),
    ...optional(values.instances === undefined ? undefined : checkWhole('--instances', values.instances, 1, MAX_INSTANCES, '4'), 'instances'),
    ...optional(values.interval === undefined ? undefined : checkDuration('--interval', values.interval), 'interval'),
    ...optional(values['scrape-timeout'] === undefined ? undefined : checkDuration('--scrape-timeout', values['scrape-timeout']), 'scrapeTimeout'),
    keepOnlyCatalog: values['keep-only-catalog'] === true,
  };
}

async function run(command: Command, args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(command, args, command === 'doctor' ? 1 : 0);
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  switch (command) {
    case 'dashboard': {
      const job = values.job === undefined ? undefined : checkRegex('--job', values.job);
      const nodeJob = values['node-job'] === undefined ? undefined : checkRegex('--node-job', values['node-job']);
      io.stdout(renderGrafanaDashboard({ ...thresholdsFromFlags(values), ...optional(job, 'job'), ...optional(nodeJob, 'nodeJob'), ...optional(str(values.title), 'title'), ...optional(str(values.uid), 'uid') }));
      return 0;
    }
    case 'rules': {
      io.stdout(renderPrometheusRules(rulesOptionsFromFlags(values)));
      return 0;
    }
    case 'alertmanager': {
      for (const flag of ['model-webhook', 'infrastructure-webhook']) {
        if (values[flag] === undefined) throw new UsageError(`--${flag} is required: the webhook URL that receives ${flag.split('-')[0]} alerts, e.g. --${flag} http://alert-sink:8080/${flag.split('-')[0]}`);
      }
      io.stdout(
        renderAlertmanagerConfig({
          modelWebhookUrl: checkUrl('--model-webhook', values['model-webhook']),
          infrastructureWebhookUrl: checkUrl('--infrastructure-webhook', values['infrastructure-webhook']),
          ...optional(values['group-wait'] === undefined ? undefined : checkDuration('--group-wait', values['group-wait']), 'groupWait'),
          ...optional(values['group-interval'] === undefined ? undefined : checkDuration('--group-interval', values['group-interval']), 'groupInterval'),
          ...optional(values['repeat-interval'] === undefined ? undefined : checkDuration('--repeat-interval', values['repeat-interval']), 'repeatInterval'),
        }),
      );
      return 0;
    }
    case 'relabel':
      io.stdout(renderMetricRelabelConfigs({ keepOnlyCatalog: values['keep-only-catalog'] === true }));
      return 0;
    case 'scrapeconfig':
      io.stdout(renderScrapeConfig(scrapeOptionsFromFlags(values)));
      return 0;
    case 'agentconfig': {
      if (values['remote-write-url'] === undefined) throw new UsageError('--remote-write-url is required: the central receiver\'s remote write URL, e.g. --remote-write-url http://victoria-metrics:8428/api/v1/write');
      io.stdout(
        renderAgentConfig({
          ...scrapeOptionsFromFlags(values),
          remoteWriteUrl: checkUrl('--remote-write-url', values['remote-write-url']),
          ...optional(values['send-deadline'] === undefined ? undefined : checkDuration('--send-deadline', values['send-deadline']), 'sendDeadline'),
        }),
      );
      return 0;
    }
    case 'vmagent': {
      const urls = (values['shard-url'] as unknown as string[] | undefined) ?? [];
      if (urls.length < 2) throw new UsageError('give one --shard-url per storage, at least two, e.g. --shard-url http://vm-0:8428/api/v1/write --shard-url http://vm-1:8428/api/v1/write');
      urls.forEach((url) => checkUrl('--shard-url', url));
      const shardBy = str(values['shard-by']);
      const dir = str(values['relabel-dir']) ?? '.';
      const sharding = vmagentSharding({
        shardUrls: urls,
        relabelDir: dir,
        ...optional(shardBy === undefined ? undefined : shardBy.split(',').map((label) => label.trim()), 'shardLabels'),
      });
      // The files are written where the printed flags name them.
      mkdirSync(dir, { recursive: true });
      for (const file of sharding.files) writeFileSync(join(dir, file.name), file.content);
      io.stdout(renderVmagentCommand(sharding));
      return 0;
    }
    case 'doctor': {
      const metricsUrl = positionals[0];
      if (metricsUrl === undefined) throw new UsageError('give the metrics URL to check, e.g. inferometer doctor http://localhost:9464/metrics [--prometheus http://localhost:9090]');
      const { report, exposition, scrapedAt } = await inspect({
        metricsUrl: checkUrl('<metrics-url>', metricsUrl),
        ...optional(values.prometheus === undefined ? undefined : checkUrl('--prometheus', values.prometheus), 'prometheusUrl'),
        ...optional(values['timeout-ms'] === undefined ? undefined : checkNumber('--timeout-ms', values['timeout-ms'], 0, Number.POSITIVE_INFINITY, '5000'), 'timeoutMs'),
        ...optional(values['max-series'] === undefined ? undefined : checkNumber('--max-series', values['max-series'], 0, Number.POSITIVE_INFINITY, '2000'), 'maxSeriesPerMetric'),
      });
      io.stdout(formatDoctorReport(report));
      const reportPath = str(values.report);
      if (reportPath !== undefined) {
        if (exposition === undefined) {
          io.stdout(`no health report written: the endpoint gave no exposition to read\n`);
          return 1;
        }
        writeFileSync(reportPath, renderHealthReport(exposition, report.metricsUrl, scrapedAt));
        io.stdout(`health report written to ${reportPath}\n`);
      }
      return report.healthy ? 0 : 1;
    }
    default:
      io.stdout(runKubernetesCommand(command, values));
      return 0;
  }
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(HELP);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (!(COMMANDS as string[]).includes(first)) {
    const near = didYouMean(first, COMMANDS);
    io.stderr(`inferometer: unknown command ${JSON.stringify(first)};${near === undefined ? '' : ` did you mean ${near}?`} commands: ${COMMANDS.join(', ')} (inferometer --help)\n`);
    return 2;
  }
  try {
    return await run(first as Command, rest, io);
  } catch (err) {
    if (err instanceof UsageError || err instanceof OpsConfigError) {
      io.stderr(`inferometer ${first}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
