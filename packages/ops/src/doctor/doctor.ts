/**
 * `inferometer doctor <metrics-url> [--prometheus <url>]`: checks, from the
 * user's terminal, what a dashboard cannot show: that the endpoint
 * answers, that its exposition parses, that the catalog's metrics are there,
 * that no series cap is hit, that the endpoint refused or failed no scrape
 * since start (its own `inferometer_scrape_*`), and that Prometheus scrapes the target and
 * reports it `up` and keeps its Inferometer series. With Prometheus it also
 * reads the rules (a rule that never evaluates is an alert that can never
 * fire) and the alerts firing now.
 */
import { METRIC_ATTRIBUTE_REJECTIONS, METRIC_DROPPED_OBSERVATIONS, OVERFLOW_VALUE } from '@inferometer/core/catalog';
import { ALL_METRICS, METRIC_SCRAPE_ERRORS, METRIC_SCRAPE_REFUSALS, METRIC_SCRAPE_REQUESTS } from '../catalog.js';
import { ATTR_ERROR_CAUSE, ATTR_REFUSAL_REASON } from '@inferometer/node/catalog';
import { checkNumber, checkUrl, durationMillis } from '../options.js';
import { seriesNames } from '../promql/selectors.js';
import { parseExposition, seriesCount, type Exposition } from '@inferometer/core/prometheus';
import { histogramKindsOf, NATIVE_SCRAPE_ACCEPT } from './histograms.js';
import { PRESENCE } from './presence.js';
import { outcomesFromExposition, outcomesFromPrometheus, STOPPED_OUTCOMES_QUERY } from './outcomes.js';

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /**
   * The metrics endpoint to check.
   * @example 'http://localhost:9464/metrics'
   */
  readonly metricsUrl: string;
  /**
   * A Prometheus server that should scrape it; its view of the target is checked too.
   * @example 'http://localhost:9090'
   */
  readonly prometheusUrl?: string;
  /**
   * Time allowed for each HTTP request, in milliseconds. Default 5000.
   * @example 10000
   */
  readonly timeoutMs?: number;
  /**
   * Series one metric may hold before the OpenTelemetry SDK folds the rest
   * into one `otel_metric_overflow="true"` series (the SDK's default
   * cardinality limit, 2000, unless a view sets another).
   * @example 5000
   */
  readonly maxSeriesPerMetric?: number;
}

/** Outcome of one check. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the verdict, with details underneath. */
export interface CheckResult {
  readonly check: 'endpoint' | 'exposition' | 'catalog' | 'series' | 'histograms' | 'scrapes' | 'prometheus' | 'rules' | 'alerts' | 'outcomes';
  readonly status: CheckStatus;
  readonly summary: string;
  readonly details: readonly string[];
}

/** The doctor's report; `healthy` is false when any check failed. */
export interface DoctorReport {
  readonly metricsUrl: string;
  readonly prometheusUrl?: string;
  readonly checks: readonly CheckResult[];
  readonly healthy: boolean;
}

/** The SDK's default cardinality limit per metric stream (sdk-metrics 2.x). */
export const DEFAULT_MAX_SERIES_PER_METRIC = 2000;
/** Share of a cap at which the doctor warns. */
const NEAR_CAP = 0.8;
const OVERFLOW_LABEL = 'otel_metric_overflow';

interface Fetched {
  readonly status: number;
  readonly body: string;
  readonly millis: number;
}

async function get(url: string, timeoutMs: number): Promise<Fetched> {
  const started = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'text/plain;version=0.0.4, */*' } });
  const body = await response.text();
  return { status: response.status, body, millis: Math.round(performance.now() - started) };
}

function reason(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    if (err.name === 'TimeoutError') return 'no answer before the timeout';
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}

const result = (check: CheckResult['check'], status: CheckStatus, summary: string, details: string[] = []): CheckResult => ({ check, status, summary, details });

function checkCatalog(exposition: Exposition): CheckResult {
  const present = (name: string): boolean => exposition.families.has(name);
  const missing = PRESENCE.filter((p) => p.required && !present(p.metric.prometheusName));
  const requiredCount = PRESENCE.filter((p) => p.required).length;
  // Inferometer's own families only: the runtime ones (process_*, nodejs_*) are in the catalog too, but listing thirty of them would bury the rest.
  const optionalPresent = PRESENCE.filter((p) => !p.required && present(p.metric.prometheusName) && /^(ml|inferometer)_/.test(p.metric.prometheusName)).map((p) => p.metric.prometheusName);
  const known = new Set<string>(ALL_METRICS.map((m) => m.prometheusName));
  const strangers = [...exposition.families.keys()].filter((name) => /^(ml|inferometer)_/.test(name) && !known.has(name));
  const details = [
    ...missing.map((p) => `missing ${p.metric.prometheusName} (expected ${p.when})`),
    ...(optionalPresent.length > 0 ? [`also present: ${optionalPresent.join(', ')}`] : []),
    ...strangers.map((name) => `${name} looks like an Inferometer metric but is not in the catalog (renamed, or a unit suffix added by another exporter?)`),
  ];
  if (missing.length === requiredCount) {
    return result('catalog', 'fail', 'no Inferometer metrics: no prediction has run yet, or the instrumented code records into a MeterProvider this endpoint does not serve', details);
  }
  if (missing.length > 0) return result('catalog', 'fail', `${missing.length} of ${requiredCount} core metrics missing`, details);
  return result('catalog', strangers.length > 0 ? 'warn' : 'ok', `all ${requiredCount} core metrics present`, details);
}

function checkSeries(exposition: Exposition, maxSeries: number): CheckResult {
  const catalogNames = new Set<string>(ALL_METRICS.map((m) => m.prometheusName));
  const counts = [...exposition.families.values()].filter((f) => catalogNames.has(f.name)).map((f) => ({ name: f.name, series: seriesCount(f), family: f }));
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const { name, series, family } of counts) {
    if (family.samples.some((s) => s.labels[OVERFLOW_LABEL] === 'true')) {
      problems.push(`${name}: the SDK's cardinality limit was hit; series beyond it are merged into ${OVERFLOW_LABEL}="true"`);
    } else if (series >= maxSeries * NEAR_CAP) {
      warnings.push(`${name}: ${series} series, ${Math.round((series / maxSeries) * 100)} % of the ${maxSeries} cap`);
    }
    const capped = family.samples.find((s) => Object.values(s.labels).includes(OVERFLOW_VALUE));
    if (capped !== undefined) {
      const label = Object.entries(capped.labels).find(([, v]) => v === OVERFLOW_VALUE)![0];
      problems.push(`${name}: ${label}="${OVERFLOW_VALUE}" present: a cardinality cap (distinct values per attribute, series per metric, or error types per series) was reached and later values share one series; ${METRIC_ATTRIBUTE_REJECTIONS.prometheusName} says which attribute and why`);
    }
  }
  const dropped = exposition.families.get(METRIC_DROPPED_OBSERVATIONS.prometheusName);
  for (const sample of dropped?.samples ?? []) {
    if (sample.value > 0) warnings.push(`${sample.name}{model_name="${sample.labels.model_name}", reason="${sample.labels.reason}"} = ${sample.value}`);
  }
  const largest = counts.sort((a, b) => b.series - a.series)[0];
  const summary = largest === undefined ? 'no catalog series to count' : `largest: ${largest.name} with ${largest.series} series (cap ${maxSeries})`;
  if (problems.length > 0) return result('series', 'fail', `a series cap was hit; ${summary}`, [...problems, ...warnings]);
  return result('series', warnings.length > 0 ? 'warn' : 'ok', summary, warnings);
}

/**
 * The endpoint's own account of its scrapes (`inferometer_scrape_*` of
 * `@inferometer/node`): refused ones and failed collections since the
 * process started, which a scrape that succeeds now does not show. Nothing
 * when the endpoint does not report on itself (another exporter).
 */
function checkScrapes(exposition: Exposition): CheckResult | undefined {
  const requests = exposition.families.get(METRIC_SCRAPE_REQUESTS.prometheusName);
  const refusals = exposition.families.get(METRIC_SCRAPE_REFUSALS.prometheusName);
  const errors = exposition.families.get(METRIC_SCRAPE_ERRORS.prometheusName);
  if (requests === undefined && refusals === undefined && errors === undefined) return undefined;
  const total = (requests?.samples ?? []).reduce((sum, sample) => sum + sample.value, 0);
  const counted = (family: typeof refusals, key: string, what: string): string[] =>
    (family?.samples ?? []).filter((sample) => sample.value > 0).map((sample) => `${sample.value} ${what} (${key}="${sample.labels[key]}")`);
  const details = [...counted(errors, ATTR_ERROR_CAUSE, 'failed collections'), ...counted(refusals, ATTR_REFUSAL_REASON, 'refused scrapes')];
  const since = `${total} earlier requests since start`;
  if (details.length === 0) return result('scrapes', 'ok', `${since}, none refused or failed`);
  return result('scrapes', 'warn', `${since}; some were refused or failed (the alert ModelScrapesFailing watches the ratio)`, details);
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0', '[::]']);

/** Whether Prometheus' scrape URL is the endpoint the user gave (loopback spellings are the same host). */
function sameEndpoint(a: URL, b: URL, strictHost: boolean): boolean {
  if (a.port !== b.port || a.pathname !== b.pathname) return false;
  if (!strictHost) return true;
  return a.hostname === b.hostname || (LOOPBACK.has(a.hostname) && LOOPBACK.has(b.hostname));
}

interface Target {
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: string;
  /** A Prometheus duration, e.g. `15s`, `1m`. */
  scrapeInterval?: string;
  labels: Record<string, string>;
}

/**
 * Longest the doctor waits for Prometheus' next scrapes of the target when
 * some of what the endpoint serves is not stored yet (a family born after
 * Prometheus' last scrape, such as the endpoint's own scrape metrics, which
 * appear at its first scrape). It takes two scrapes, so a target scraped
 * less often than every 15 s keeps the "(yet?)" warning, with its interval.
 */
export const MAX_WAIT_FOR_SCRAPE_MS = 30_000;
/** How often the doctor asks Prometheus whether it scraped the target again. */
const SCRAPE_POLL_MS = 250;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Prometheus' active targets (`/api/v1/targets`), or the HTTP status it answered instead. */
async function activeTargets(base: string, timeoutMs: number): Promise<Target[] | number> {
  const response = await get(`${base}/api/v1/targets?state=active`, timeoutMs);
  return response.status === 200 ? (JSON.parse(response.body) as { data: { activeTargets: Target[] } }).data.activeTargets : response.status;
}

/** Time (ms since the epoch) of a target's last scrape; Prometheus writes nanoseconds, which Date.parse does not read. */
function scrapeTime(target: Target): number {
  return Date.parse(target.lastScrape.replace(/(\.\d{3})\d+/, '$1'));
}

/** The same target as Prometheus lists it now: same scrape URL, job and instance. */
function sameTarget(a: Target, b: Target): boolean {
  return a.scrapeUrl === b.scrapeUrl && a.labels.job === b.labels.job && a.labels.instance === b.labels.instance;
}

/**
 * Waits, until `deadline`, for a scrape of the target that started after
 * the doctor read the endpoint, and returns the target as Prometheus then
 * lists it (its health included). Judged by Prometheus' own clock, never
 * against this machine's: the second scrape after `found`'s (the first may
 * have begun before the read). Undefined when the target's interval makes
 * two scrapes longer than {@link MAX_WAIT_FOR_SCRAPE_MS}, or the wait runs out.
 */
async function nextScrapes(base: string, found: Target, deadline: number, timeoutMs: number): Promise<Target | undefined> {
  const interval = found.scrapeInterval === undefined ? undefined : durationMillis(found.scrapeInterval);
  if (interval === undefined || 2 * interval > MAX_WAIT_FOR_SCRAPE_MS) return undefined;
  let last = scrapeTime(found);
  let seen = 0;
  while (Date.now() + SCRAPE_POLL_MS < deadline) {
    await pause(SCRAPE_POLL_MS);
    const targets = await activeTargets(base, Math.min(timeoutMs, Math.max(1, deadline - Date.now())));
    if (typeof targets === 'number') return undefined;
    const now = targets.find((t) => sameTarget(t, found));
    if (now === undefined) return undefined;
    const at = scrapeTime(now);
    if (at > last) {
      last = at;
      if (++seen === 2) return now;
    }
  }
  return undefined;
}

async function checkPrometheus(prometheusUrl: string, metricsUrl: string, exposition: Exposition | undefined, timeoutMs: number): Promise<CheckResult> {
  const base = prometheusUrl.replace(/\/+$/, '');
  let targets: Target[];
  try {
    const answer = await activeTargets(base, timeoutMs);
    if (typeof answer === 'number') return result('prometheus', 'fail', `Prometheus at ${base} answered HTTP ${answer} to /api/v1/targets`);
    targets = answer;
  } catch (err) {
    return result('prometheus', 'fail', `cannot reach Prometheus at ${base}: ${reason(err)}`);
  }
  const wanted = new URL(metricsUrl);
  const matches = (strict: boolean): Target[] => targets.filter((t) => sameEndpoint(new URL(t.scrapeUrl), wanted, strict));
  // Same host first; failing that, the same port and path (Prometheus in a
  // container scrapes `demo:9464` what the user reaches as `localhost:9464`).
  const found = matches(true)[0] ?? (matches(false).length === 1 ? matches(false)[0] : undefined);
  if (found === undefined) {
    return result(
      'prometheus',
      'fail',
      `Prometheus at ${base} has no target scraping ${metricsUrl}: nothing you see in Grafana comes from this endpoint`,
      targets.slice(0, 10).map((t) => `it scrapes ${t.scrapeUrl} (job ${t.labels.job}, ${t.health})`),
    );
  }
  const name = `${found.scrapeUrl} (job ${found.labels.job}, instance ${found.labels.instance})`;
  const down = (target: Target): CheckResult =>
    result('prometheus', 'fail', `Prometheus reports the target DOWN (up == 0): ${target.lastError || 'no error given'}`, [
      `target ${name}, last scrape ${target.lastScrape}`,
      'dashboards keep showing its last good scrape; alerts on its metrics go silent',
    ]);
  if (found.health === 'down') return down(found);
  if (found.health !== 'up') return result('prometheus', 'warn', `Prometheus has not scraped the target yet (health ${found.health})`, [`target ${name}`]);
  const details = [`target ${name}, last scrape ${found.lastScrape}`];
  // Up is not enough: metric_relabel_configs or limits can drop what the endpoint serves.
  const exposed = [...(exposition?.families.keys() ?? [])].filter((f) => ALL_METRICS.some((m) => m.prometheusName === f));
  if (exposed.length === 0) return result('prometheus', 'ok', 'Prometheus reports the target up', details);
  // Every catalog family's prefix (ml_, inferometer_, and node's process_ and nodejs_).
  const prefixes = [...new Set(ALL_METRICS.map((m) => m.prometheusName.slice(0, m.prometheusName.indexOf('_'))))].sort().join('|');
  const selector = `{job=${JSON.stringify(found.labels.job)}, instance=${JSON.stringify(found.labels.instance)}, __name__=~"(${prefixes})_.+"}`;
  const notStoredNow = async (timeout: number): Promise<string[]> => {
    const response = await get(`${base}/api/v1/query?query=${encodeURIComponent(`count by (__name__) (${selector})`)}`, timeout);
    const stored = new Set((JSON.parse(response.body) as { data: { result: { metric: { __name__: string } }[] } }).data.result.map((r) => r.metric.__name__));
    return exposed.filter((family) => !seriesNames(ALL_METRICS.find((m) => m.prometheusName === family)!).some((series) => stored.has(series)));
  };
  const noneStored = (missing: readonly string[]): CheckResult =>
    result('prometheus', 'fail', 'Prometheus reports the target up but stores none of its Inferometer series (dropped by metric_relabel_configs or a limit?)', [...details, `not stored: ${missing.join(', ')}`]);
  const storesAll = (extra: readonly string[] = []): CheckResult => result('prometheus', 'ok', `Prometheus reports the target up and stores its ${exposed.length} Inferometer metrics`, [...details, ...extra]);
  try {
    const first = await notStoredNow(timeoutMs);
    if (first.length === exposed.length) return noneStored(first);
    if (first.length === 0) return storesAll();
    // Born after Prometheus' last scrape, or dropped? A scrape that started
    // after the doctor read the endpoint tells them apart.
    const deadline = Date.now() + MAX_WAIT_FOR_SCRAPE_MS;
    const later = await nextScrapes(base, found, deadline, timeoutMs);
    if (later === undefined) {
      return result('prometheus', 'warn', 'Prometheus reports the target up but does not store some of its Inferometer series', [
        ...details,
        `not stored (yet?): ${first.join(', ')}`,
        `Prometheus scrapes it every ${found.scrapeInterval ?? '(unknown)'}: run the doctor again after its next scrape`,
      ]);
    }
    // A scrape that failed (a sample limit the new family crossed) marks every series stale.
    if (later.health === 'down') return down(later);
    // The target's last-scrape time can move before the scrape's samples
    // are committed: a few more looks, a poll apart, within the deadline.
    let notStored = first;
    for (let look = 0; look < 4 && notStored.length > 0 && Date.now() < deadline; look++) {
      if (look > 0) await pause(SCRAPE_POLL_MS);
      notStored = await notStoredNow(Math.min(timeoutMs, Math.max(1, deadline - Date.now())));
    }
    if (notStored.length === exposed.length) return noneStored(notStored);
    if (notStored.length > 0) {
      return result('prometheus', 'warn', 'Prometheus scrapes the target but does not store some of its Inferometer series (dropped by metric_relabel_configs or a limit?)', [
        ...details,
        `not stored by a scrape made after the doctor read them: ${notStored.join(', ')}`,
      ]);
    }
    return storesAll([`waited for Prometheus' next scrapes: ${first.join(', ')} appeared after its last one`]);
  } catch (err) {
    return result('prometheus', 'warn', `Prometheus reports the target up; querying its series failed: ${reason(err)}`, details);
  }
}

/** Most rules or alerts listed under one check; the summary gives the count. */
const MAX_LISTED = 10;

interface PrometheusRule {
  readonly name: string;
  readonly type: 'alerting' | 'recording';
  readonly health: 'ok' | 'err' | 'unknown';
  readonly lastError?: string;
}

/**
 * Rules Prometheus loaded but never evaluated successfully
 * (https://prometheus.io/docs/prometheus/latest/querying/api/#rules):
 * `health` "err" with `lastError` fails (that alert can never fire, and the
 * recording rule feeds no panel); "unknown", not evaluated yet, warns.
 */
async function checkRules(base: string, timeoutMs: number): Promise<CheckResult> {
  let groups: { name: string; file: string; rules: PrometheusRule[] }[];
  try {
    const response = await get(`${base}/api/v1/rules`, timeoutMs);
    if (response.status !== 200) return result('rules', 'fail', `Prometheus answered HTTP ${response.status} to /api/v1/rules`);
    groups = (JSON.parse(response.body) as { data: { groups: typeof groups } }).data.groups;
  } catch (err) {
    return result('rules', 'fail', `cannot read the rules from Prometheus: ${reason(err)}`);
  }
  const rules = groups.flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name })));
  if (rules.length === 0) return result('rules', 'warn', 'Prometheus has no rules loaded: no alert can fire (load the output of `inferometer rules` with rule_files)');
  const broken = rules.filter((r) => r.health === 'err');
  const unknown = rules.filter((r) => r.health !== 'err' && r.health !== 'ok');
  const list = (rs: typeof rules, what: (r: (typeof rules)[number]) => string): string[] => [
    ...rs.slice(0, MAX_LISTED).map(what),
    ...(rs.length > MAX_LISTED ? [`and ${rs.length - MAX_LISTED} more`] : []),
  ];
  if (broken.length > 0) {
    return result('rules', 'fail', `${broken.length} of ${rules.length} rules fail to evaluate`, list(broken, (r) => `${r.type} rule ${r.name} (group ${r.group}): ${r.lastError || 'no error given'}`));
  }
  if (unknown.length > 0) return result('rules', 'warn', `${unknown.length} of ${rules.length} rules not evaluated yet`, list(unknown, (r) => `${r.type} rule ${r.name} (group ${r.group})`));
  return result('rules', 'ok', `${rules.length} rules in ${groups.length} groups evaluate without error`);
}

interface PrometheusAlert {
  readonly labels: Record<string, string>;
  readonly state: 'firing' | 'pending' | 'inactive';
  readonly activeAt?: string;
  readonly value?: string;
}

/** Alerts firing now (/api/v1/alerts): a warning with each one, not a failure of the target. */
async function checkAlerts(base: string, timeoutMs: number): Promise<CheckResult> {
  let alerts: PrometheusAlert[];
  try {
    const response = await get(`${base}/api/v1/alerts`, timeoutMs);
    if (response.status !== 200) return result('alerts', 'fail', `Prometheus answered HTTP ${response.status} to /api/v1/alerts`);
    alerts = (JSON.parse(response.body) as { data: { alerts: PrometheusAlert[] } }).data.alerts;
  } catch (err) {
    return result('alerts', 'fail', `cannot read the alerts from Prometheus: ${reason(err)}`);
  }
  const firing = alerts.filter((a) => a.state === 'firing');
  const pending = alerts.filter((a) => a.state === 'pending').length;
  const pendingText = pending > 0 ? `, ${pending} pending` : '';
  if (firing.length === 0) return result('alerts', 'ok', `no alert firing${pendingText}`);
  const describe = (a: PrometheusAlert): string => {
    const { alertname, ...labels } = a.labels;
    const text = Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(', ');
    return `${alertname ?? '(no alertname)'} {${text}}${a.value === undefined ? '' : ` value ${a.value}`}${a.activeAt === undefined ? '' : ` since ${a.activeAt}`}`;
  };
  // Prometheus lists alerts in no set order: critical ones first, then by
  // name and labels, so the first MAX_LISTED are the same on every run and
  // the ones that page are never cut off by the list's bound.
  const rank = (a: PrometheusAlert): number => (a.labels.severity === 'critical' ? 0 : 1);
  const listed = firing.map((a) => ({ a, text: describe(a) })).sort((x, y) => rank(x.a) - rank(y.a) || (x.text < y.text ? -1 : x.text > y.text ? 1 : 0));
  return result('alerts', 'warn', `${firing.length} alert${firing.length > 1 ? 's' : ''} firing${pendingText}`, [
    ...listed.slice(0, MAX_LISTED).map((l) => l.text),
    ...(firing.length > MAX_LISTED ? [`and ${firing.length - MAX_LISTED} more`] : []),
  ]);
}

/**
 * Which histograms the endpoint serves: classic buckets in text, and native
 * histograms when it answers Prometheus' native-histogram Accept header with
 * the protobuf exposition.
 */
async function checkHistogramKinds(metricsUrl: string, exposition: Exposition, timeoutMs: number): Promise<CheckResult> {
  const textClassic = [...exposition.families.keys()].filter((name) => exposition.families.get(name)?.type === 'histogram');
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: NATIVE_SCRAPE_ACCEPT } });
    const type = response.headers.get('content-type') ?? '';
    const body = new Uint8Array(await response.arrayBuffer());
    if (response.status !== 200 || !type.startsWith('application/vnd.google.protobuf')) {
      return result('histograms', 'ok', `classic buckets only (${textClassic.length} histogram families; no protobuf exposition, so no native histograms)`, [
        'native histograms: INFEROMETER_PROMETHEUS_NATIVE_HISTOGRAMS=true, and Prometheus with --enable-feature=native-histograms',
      ]);
    }
    const kinds = histogramKindsOf(body);
    const both = kinds.native.filter((name) => kinds.classic.includes(name));
    const summary =
      kinds.native.length === 0 ? 'classic buckets only (protobuf exposition, no native histograms)' : both.length === kinds.native.length ? 'native histograms with their classic buckets' : 'native histograms';
    return result('histograms', 'ok', summary, [...kinds.native.map((name) => `native: ${name}`), ...kinds.classic.map((name) => `classic: ${name}`)]);
  } catch (err) {
    return result('histograms', 'warn', `cannot read the protobuf exposition: ${reason(err)}`);
  }
}

/** Runs every check and returns the report (it never throws for an unhealthy target; only for bad options). */
/** Versions whose outcomes stopped arriving (outcomes.ts); undefined when Prometheus cannot answer (the other checks say why). */
async function checkOutcomesStopped(base: string, timeoutMs: number): Promise<CheckResult | undefined> {
  try {
    const response = await get(`${base}/api/v1/query?query=${encodeURIComponent(STOPPED_OUTCOMES_QUERY)}`, timeoutMs);
    if (response.status !== 200) return undefined;
    const series = (JSON.parse(response.body) as { data: { result: { metric: Record<string, string> }[] } }).data.result;
    const finding = outcomesFromPrometheus(series);
    return finding.status === 'ok' ? undefined : result('outcomes', finding.status, finding.summary, finding.details);
  } catch {
    return undefined;
  }
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  return (await inspect(options)).report;
}

/** The doctor's report, with the exposition it scraped and when (for `--report`). */
export async function inspect(options: DoctorOptions): Promise<{ readonly report: DoctorReport; readonly exposition: Exposition | undefined; readonly scrapedAt: number }> {
  const metricsUrl = checkUrl('metricsUrl', options.metricsUrl);
  const prometheusUrl = options.prometheusUrl === undefined ? undefined : checkUrl('prometheusUrl', options.prometheusUrl);
  const timeoutMs = checkNumber('timeoutMs', options.timeoutMs ?? 5000, 0, Number.POSITIVE_INFINITY, '5000');
  const maxSeries = checkNumber('maxSeriesPerMetric', options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES_PER_METRIC, 0, Number.POSITIVE_INFINITY, '2000');
  const checks: CheckResult[] = [];
  let exposition: Exposition | undefined;
  let scrapedAt = Date.now();
  try {
    const response = await get(metricsUrl, timeoutMs);
    if (response.status !== 200) {
      checks.push(result('endpoint', 'fail', `HTTP ${response.status} from ${metricsUrl}`, response.body.trim() === '' ? [] : [`body: ${response.body.trim().split('\n')[0]!.slice(0, 200)}`]));
    } else {
      checks.push(result('endpoint', 'ok', `HTTP 200 in ${response.millis} ms, ${(Buffer.byteLength(response.body) / 1024).toFixed(1)} KiB`));
      exposition = parseExposition(response.body);
      scrapedAt = Date.now();
    }
  } catch (err) {
    checks.push(result('endpoint', 'fail', `cannot fetch ${metricsUrl}: ${reason(err)}`, ['is the process running, and is the pull endpoint on this host and port (OTEL_EXPORTER_PROMETHEUS_HOST/PORT)?']));
  }
  if (exposition !== undefined) {
    if (exposition.errors.length > 0 || exposition.failureComments.length > 0) {
      checks.push(result('exposition', 'fail', exposition.failureComments.length > 0 ? 'the exporter reports a failed collection' : `${exposition.errors.length} unparsable lines`, [...exposition.failureComments, ...exposition.errors.slice(0, 10)]));
    } else {
      checks.push(result('exposition', 'ok', `${exposition.families.size} metric families, ${exposition.sampleCount} samples`));
      checks.push(checkCatalog(exposition));
      checks.push(checkSeries(exposition, maxSeries));
      checks.push(await checkHistogramKinds(metricsUrl, exposition, timeoutMs));
      const scrapes = checkScrapes(exposition);
      if (scrapes !== undefined) checks.push(scrapes);
      const outcomes = outcomesFromExposition(exposition);
      if (outcomes !== undefined) checks.push(result('outcomes', outcomes.status, outcomes.summary, outcomes.details));
    }
  }
  if (prometheusUrl !== undefined) {
    const prometheus = await checkPrometheus(prometheusUrl, metricsUrl, exposition, timeoutMs);
    checks.push(prometheus);
    // Unreachable Prometheus: the prometheus check already says so.
    if (!prometheus.summary.startsWith('cannot reach')) {
      const base = prometheusUrl.replace(/\/+$/, '');
      checks.push(await checkRules(base, timeoutMs), await checkAlerts(base, timeoutMs));
      const stopped = await checkOutcomesStopped(base, timeoutMs);
      if (stopped !== undefined) checks.push(stopped);
    }
  }
  return { report: { metricsUrl, ...(prometheusUrl === undefined ? {} : { prometheusUrl }), checks, healthy: checks.every((c) => c.status !== 'fail') }, exposition, scrapedAt };
}

const MARK: Record<CheckStatus, string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]' };

/** The report as the terminal text `inferometer doctor` prints. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines = [`inferometer doctor: ${report.metricsUrl}${report.prometheusUrl ? ` (Prometheus ${report.prometheusUrl})` : ''}`, ''];
  for (const check of report.checks) {
    lines.push(`${MARK[check.status]} ${check.check.padEnd(10)} ${check.summary}`);
    for (const detail of check.details) lines.push(`${' '.repeat(18)}- ${detail}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.check);
  const warned = report.checks.filter((c) => c.status === 'warn').map((c) => c.check);
  lines.push('');
  lines.push(
    failed.length > 0
      ? `verdict: NOT HEALTHY: ${failed.length} check${failed.length > 1 ? 's' : ''} failed (${failed.join(', ')})`
      : `verdict: healthy${warned.length > 0 ? `, with warnings (${warned.join(', ')})` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
