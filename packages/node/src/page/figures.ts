/**
 * What the health page shows, read from a parsed exposition: the figures of
 * each model version and of the endpoint, by the catalogs' Prometheus names
 * (never spelled here). One function for the live page (a collection of its
 * own, rendered and parsed like a scrape) and for `inferometer doctor
 * --report` (one scrape of a remote endpoint), so the two show the same view.
 *
 * Rates need two snapshots: without a previous one (the doctor's single
 * scrape, or the live page's first sample) they are left out and the figures
 * since the process started are shown.
 */
import {
  ATTR_ERROR_TYPE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_STATUS,
  ATTR_TOKEN_TYPE,
  ERROR_TYPE_INVALID_INPUT,
  METRIC_ATTRIBUTE_REJECTIONS,
  METRIC_DROPPED_OBSERVATIONS,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTION_TOKENS,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_TIME_TO_FIRST_ITEM,
  STATUS_CANCELLED,
  STATUS_ERROR,
  STATUS_SUCCESS,
  type MetricDefinition,
} from '@inferometer/core/catalog';
import type { Exposition, Sample } from '@inferometer/core/prometheus';
import { NODE_CATALOG, RUNTIME_CATALOG, RUNTIME_EVENTLOOP_LAG_P99, RUNTIME_HEAP_USED } from '../catalog.js';

/** A catalog entry as the page reads it (core's, node's and the drift package's share this shape). */
type Named = Pick<MetricDefinition, 'prometheusName'>;

/**
 * The names of `@inferometer/drift/catalog` the page reads, and the drift
 * thresholds. `@inferometer/drift` is an optional peer of this package: the
 * live page loads its catalog when first opened, and without it no drift or
 * quality metric can exist anyway. Pass the catalog module itself.
 */
export interface DriftCatalogNames {
  readonly METRIC_DATA_DRIFT_SCORE: Named;
  readonly METRIC_PREDICTION_DRIFT_SCORE: Named;
  readonly METRIC_OUTCOMES: Named;
  readonly METRIC_PREDICTIONS_SCORED: Named;
  readonly METRIC_EXPECTED_CORRECT: Named;
  readonly METRIC_DATA_QUALITY_ISSUES: Named;
  readonly ATTR_FEATURE: string;
  readonly ATTR_METHOD: string;
  readonly ATTR_PREDICTION: string;
  readonly ATTR_RESULT: string;
  readonly ATTR_ISSUE: string;
  readonly OUTCOME_RESULTS: { readonly correct: string; readonly incorrect: string };
}

/** Drift thresholds per method (`@inferometer/drift`'s `DEFAULT_THRESHOLDS`, or the ops kit's alert thresholds). */
export type DriftThresholds = Readonly<Record<string, { readonly warning?: number; readonly critical: number }>>;

/** A classic histogram of one series: cumulative counts per upper bound (the last is +Inf). */
export interface Buckets {
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
}

/** The cumulative figures of one model version in one exposition. */
export interface VersionSnapshot {
  readonly model: string;
  readonly version: string;
  /** Calls by status (`success`, `error`, `cancelled`). */
  readonly calls: Map<string, number>;
  readonly errorsByType: Map<string, number>;
  inFlight: number | undefined;
  latency: Buckets | undefined;
  confidence: Buckets | undefined;
  ttft: Buckets | undefined;
  readonly tokens: Map<string, number>;
  /** `feature/method` (or `prediction class/method`) to score. */
  readonly drift: Map<string, { readonly what: string; readonly method: string; readonly score: number }>;
  /** Joined outcomes, `correct` and `incorrect`. */
  readonly outcomes: Map<string, number>;
  scored: number | undefined;
  expectedCorrect: number | undefined;
  readonly qualityIssues: Map<string, number>;
}

/** Everything the page reads from one exposition. */
export interface Snapshot {
  /** When it was taken, milliseconds since the epoch. */
  readonly at: number;
  readonly versions: Map<string, VersionSnapshot>;
  /** The guard's refusals (`inferometer_attribute_rejections_total` by metric) and dropped observations by reason. */
  readonly guard: Map<string, number>;
  /** The endpoint's own figures: node's catalog families present, by name. */
  readonly endpoint: Map<string, number>;
}

/** One figure of the page: a value now (or undefined: not known yet), charted over time on the live page. */
export interface Figure {
  /** Stable identity: the series of the ring buffer, and `data-key` in the DOM. */
  readonly key: string;
  /** `model version`, or `Guard` / `Endpoint`. */
  readonly group: string;
  readonly section: Section;
  readonly label: string;
  readonly unit: Unit;
  readonly value: number | undefined;
  readonly threshold?: { readonly warning?: number; readonly critical: number };
}

export type Section = 'traffic' | 'errors' | 'latency' | 'confidence' | 'drift' | 'quality' | 'llm' | 'guard' | 'endpoint';
export type Unit = 'per_second' | 'ratio' | 'seconds' | 'count' | 'score' | 'bytes';

/** A distribution shown as bars (the confidence). */
export interface Distribution {
  readonly key: string;
  readonly group: string;
  readonly label: string;
  readonly bounds: readonly number[];
  /** Share of observations per bucket (not cumulative), summing to 1 (empty when nothing was observed). */
  readonly shares: readonly number[];
}

/** The view: figures and distributions, in page order. */
export interface PageFigures {
  readonly figures: Figure[];
  readonly distributions: Distribution[];
}

const LATENCY = METRIC_PREDICTION_LATENCY.prometheusName;
const CONFIDENCE = METRIC_PREDICTION_CONFIDENCE.prometheusName;
const TTFT = METRIC_TIME_TO_FIRST_ITEM.prometheusName;
const TOKENS = METRIC_PREDICTION_TOKENS.prometheusName;

/** The endpoint's families: node's own catalog (cluster self-metrics and whatever is added there) less the runtime families, plus two runtime ones worth a glance. */
function endpointFamilies(): readonly MetricDefinition[] {
  const runtime = new Set(RUNTIME_CATALOG.map((definition) => definition.prometheusName));
  return [...NODE_CATALOG.filter((definition) => !runtime.has(definition.prometheusName)), RUNTIME_EVENTLOOP_LAG_P99, RUNTIME_HEAP_USED];
}

/** Reads a snapshot from a parsed exposition. */
export function snapshotOf(exposition: Exposition, at: number, drift?: DriftCatalogNames): Snapshot {
  const versions = new Map<string, VersionSnapshot>();
  const version = (sample: Sample): VersionSnapshot | undefined => {
    const model = sample.labels[ATTR_MODEL_NAME];
    if (model === undefined) return undefined;
    const name = sample.labels[ATTR_MODEL_VERSION] ?? '';
    const key = `${model}\u0000${name}`;
    let found = versions.get(key);
    if (found === undefined) {
      found = {
        model,
        version: name,
        calls: new Map(),
        errorsByType: new Map(),
        inFlight: undefined,
        latency: undefined,
        confidence: undefined,
        ttft: undefined,
        tokens: new Map(),
        drift: new Map(),
        outcomes: new Map(),
        scored: undefined,
        expectedCorrect: undefined,
        qualityIssues: new Map(),
      };
      versions.set(key, found);
    }
    return found;
  };
  const each = (definition: Named, visit: (sample: Sample, into: VersionSnapshot) => void): void => {
    for (const sample of exposition.families.get(definition.prometheusName)?.samples ?? []) {
      const into = version(sample);
      if (into !== undefined) visit(sample, into);
    }
  };
  each(METRIC_PREDICTIONS, (s, v) => add(v.calls, s.labels[ATTR_STATUS] ?? '', s.value));
  each(METRIC_PREDICTION_ERRORS, (s, v) => add(v.errorsByType, s.labels[ATTR_ERROR_TYPE] ?? '', s.value));
  each(METRIC_PREDICTIONS_IN_FLIGHT, (s, v) => (v.inFlight = (v.inFlight ?? 0) + s.value));
  each(METRIC_PREDICTION_TOKENS, (s, v) => {
    if (s.name === `${TOKENS}_sum`) add(v.tokens, s.labels[ATTR_TOKEN_TYPE] ?? '', s.value);
  });
  for (const [name, field] of [
    [LATENCY, 'latency'],
    [CONFIDENCE, 'confidence'],
    [TTFT, 'ttft'],
  ] as const) {
    const perVersion = new Map<VersionSnapshot, Map<number, number>>();
    each({ prometheusName: name }, (s, v) => {
      if (s.name !== `${name}_bucket`) return;
      const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
      let bounds = perVersion.get(v);
      if (bounds === undefined) perVersion.set(v, (bounds = new Map()));
      bounds.set(le, (bounds.get(le) ?? 0) + s.value);
    });
    for (const [v, bounds] of perVersion) {
      const sorted = [...bounds.keys()].sort((a, b) => a - b);
      v[field] = { bounds: sorted, counts: sorted.map((b) => bounds.get(b)!) };
    }
  }
  if (drift !== undefined) {
    each(drift.METRIC_DATA_DRIFT_SCORE, (s, v) => {
      const what = s.labels[drift.ATTR_FEATURE] ?? '';
      const method = s.labels[drift.ATTR_METHOD] ?? '';
      v.drift.set(`${what}/${method}`, { what, method, score: s.value });
    });
    each(drift.METRIC_PREDICTION_DRIFT_SCORE, (s, v) => {
      const what = `prediction ${s.labels[drift.ATTR_PREDICTION] ?? ''}`;
      const method = s.labels[drift.ATTR_METHOD] ?? '';
      v.drift.set(`${what}/${method}`, { what, method, score: s.value });
    });
    // Keyed 'correct' / 'incorrect' whatever the catalog calls them.
    const results = new Map([
      [drift.OUTCOME_RESULTS.correct, 'correct'],
      [drift.OUTCOME_RESULTS.incorrect, 'incorrect'],
    ]);
    each(drift.METRIC_OUTCOMES, (s, v) => {
      const result = results.get(s.labels[drift.ATTR_RESULT] ?? '');
      if (result !== undefined) add(v.outcomes, result, s.value);
    });
    each(drift.METRIC_PREDICTIONS_SCORED, (s, v) => (v.scored = (v.scored ?? 0) + s.value));
    each(drift.METRIC_EXPECTED_CORRECT, (s, v) => (v.expectedCorrect = (v.expectedCorrect ?? 0) + s.value));
    each(drift.METRIC_DATA_QUALITY_ISSUES, (s, v) => add(v.qualityIssues, s.labels[drift.ATTR_ISSUE] ?? '', s.value));
  }
  const guard = new Map<string, number>();
  for (const [definition, label] of [
    [METRIC_ATTRIBUTE_REJECTIONS, 'metric'],
    [METRIC_DROPPED_OBSERVATIONS, 'reason'],
  ] as const) {
    for (const sample of exposition.families.get(definition.prometheusName)?.samples ?? []) {
      add(guard, `${definition.prometheusName}{${label}="${sample.labels[label] ?? ''}"}`, sample.value);
    }
  }
  const endpoint = new Map<string, number>();
  for (const definition of endpointFamilies()) {
    const family = exposition.families.get(definition.prometheusName);
    if (family === undefined) continue;
    // A histogram's observations (its _count), else the sum over its series.
    const histogram = family.type === 'histogram';
    let total = 0;
    for (const sample of family.samples) if (!histogram || sample.name === `${family.name}_count`) total += sample.value;
    endpoint.set(family.name, total);
  }
  return { at, versions, guard, endpoint };
}

/**
 * The error-ratio figures' label: the ratio the generated alert watches
 * with its default client error types, which leave the caller's invalid
 * input out.
 */
const ERROR_RATIO = `Model error ratio (${ERROR_TYPE_INVALID_INPUT} left out)`;

/** The figures of `current`; rates over the time since `previous` when given. */
export function figuresOf(current: Snapshot, previous: Snapshot | undefined, thresholds: DriftThresholds = {}, endpointStats?: Readonly<Record<string, number>>): PageFigures {
  const figures: Figure[] = [];
  const distributions: Distribution[] = [];
  const seconds = previous === undefined ? 0 : (current.at - previous.at) / 1000;
  const rate = (now: number, before: number | undefined): number | undefined => (previous === undefined || seconds <= 0 || before === undefined ? undefined : Math.max(0, now - before) / seconds);
  for (const [id, v] of current.versions) {
    const was = previous?.versions.get(id);
    const group = v.version === '' ? v.model : `${v.model} ${v.version}`;
    const key = (name: string): string => `${v.model}/${v.version}/${name}`;
    const push = (name: string, section: Section, label: string, unit: Unit, value: number | undefined, threshold?: Figure['threshold']): void => {
      figures.push({ key: key(name), group, section, label, unit, value, ...(threshold === undefined ? {} : { threshold }) });
    };
    const calls = total(v.calls);
    // The model error ratio as the generated rule and alert count it with
    // their default client error types: the model's failures (every
    // error_type but the caller's invalid input) over the calls that ended,
    // but those refused for their input.
    const failed = (s: VersionSnapshot): { errors: number; attempted: number } => {
      const refused = s.errorsByType.get(ERROR_TYPE_INVALID_INPUT) ?? 0;
      return { errors: total(s.errorsByType) - refused, attempted: (s.calls.get(STATUS_SUCCESS) ?? 0) + (s.calls.get(STATUS_ERROR) ?? 0) - refused };
    };
    const { errors, attempted } = failed(v);
    push('calls_per_second', 'traffic', 'Calls per second', 'per_second', rate(calls, was === undefined ? undefined : total(was.calls)));
    push('calls_total', 'traffic', 'Calls since start', 'count', calls);
    push('in_flight', 'traffic', 'In flight', 'count', v.inFlight);
    if ((v.calls.get(STATUS_CANCELLED) ?? 0) > 0) push('cancelled_total', 'traffic', 'Cancelled since start', 'count', v.calls.get(STATUS_CANCELLED));
    if (was !== undefined) {
      const before = failed(was);
      push('error_ratio', 'errors', `${ERROR_RATIO} (last interval)`, 'ratio', attempted - before.attempted > 0 ? Math.max(0, errors - before.errors) / (attempted - before.attempted) : undefined);
    } else {
      push('error_ratio', 'errors', `${ERROR_RATIO} (last interval)`, 'ratio', undefined);
    }
    push('error_ratio_total', 'errors', `${ERROR_RATIO} since start`, 'ratio', attempted > 0 ? errors / attempted : undefined);
    for (const [type, count] of v.errorsByType) {
      push(`errors/${type}`, 'errors', `Errors per second: ${type}`, 'per_second', rate(count, was === undefined ? undefined : (was.errorsByType.get(type) ?? 0)));
      push(`errors_total/${type}`, 'errors', `Errors since start: ${type}`, 'count', count);
    }
    for (const q of [0.5, 0.95, 0.99]) {
      const p = `p${Math.round(q * 100)}`;
      const recent = v.latency === undefined || was?.latency === undefined ? undefined : quantile(q, difference(v.latency, was.latency));
      push(`latency_${p}`, 'latency', `Latency ${p} (last interval)`, 'seconds', recent);
      push(`latency_${p}_total`, 'latency', `Latency ${p} since start`, 'seconds', v.latency === undefined ? undefined : quantile(q, v.latency));
    }
    if (v.confidence !== undefined) {
      const recent = was?.confidence === undefined ? undefined : difference(v.confidence, was.confidence);
      const shown = recent !== undefined && last(recent.counts) > 0 ? recent : v.confidence;
      push('confidence_p50', 'confidence', 'Confidence median', 'ratio', quantile(0.5, shown));
      distributions.push({ key: key('confidence'), group, label: recent === shown ? 'Confidence (last interval)' : 'Confidence since start', bounds: shown.bounds, shares: shares(shown) });
    }
    const sortedDrift = [...v.drift.values()].sort((a, b) => (a.what === b.what ? (a.method < b.method ? -1 : 1) : a.what < b.what ? -1 : 1));
    for (const d of sortedDrift) push(`drift/${d.what}/${d.method}`, 'drift', `Drift ${d.what} (${d.method})`, 'score', d.score, thresholds[d.method]);
    if (hasQuality(v)) {
      const correct = v.outcomes.get('correct') ?? 0;
      const judged = correct + (v.outcomes.get('incorrect') ?? 0);
      if (judged > 0) push('accuracy_realised', 'quality', 'Realised accuracy since start', 'ratio', correct / judged);
      if (v.scored !== undefined && v.scored > 0 && v.expectedCorrect !== undefined) push('accuracy_estimated', 'quality', 'Estimated accuracy (CBPE) since start', 'ratio', v.expectedCorrect / v.scored);
      for (const [issue, count] of v.qualityIssues) push(`quality/${issue}`, 'quality', `Data-quality issues: ${issue}`, 'count', count);
    }
    for (const [type, sum] of v.tokens) push(`tokens/${type}`, 'llm', `Tokens per second: ${type}`, 'per_second', rate(sum, was?.tokens.get(type)));
    if (v.ttft !== undefined) {
      const recent = was?.ttft === undefined ? undefined : difference(v.ttft, was.ttft);
      push('ttft_p95', 'llm', 'Time to first token p95 (last interval)', 'seconds', recent === undefined ? undefined : quantile(0.95, recent));
      push('ttft_p95_total', 'llm', 'Time to first token p95 since start', 'seconds', quantile(0.95, v.ttft));
    }
  }
  for (const [name, count] of current.guard) {
    figures.push({ key: `guard/${name}`, group: 'Guard', section: 'guard', label: name, unit: 'count', value: count });
  }
  for (const [name, value] of current.endpoint) {
    figures.push({ key: `endpoint/${name}`, group: 'Endpoint', section: 'endpoint', label: name, unit: name.endsWith('_seconds') ? 'seconds' : name.endsWith('_bytes') ? 'bytes' : 'count', value });
  }
  for (const [name, value] of Object.entries(endpointStats ?? {})) {
    figures.push({ key: `endpoint/stats/${name}`, group: 'Endpoint', section: 'endpoint', label: STATS_LABELS[name] ?? `Scrapes ${name} since start`, unit: 'count', value });
  }
  return { figures, distributions };
}

/** The pull handler's `stats()` in words. */
const STATS_LABELS: Readonly<Record<string, string>> = {
  refused: 'Scrapes refused since start (too many at once, or collections hanging)',
  timedOut: 'Scrapes timed out since start (collection too slow)',
  failed: 'Scrapes failed since start (collection failed)',
  cutOff: 'Slow readers cut off since start',
};

/** Whether a version has any model-quality figure. */
function hasQuality(v: VersionSnapshot): boolean {
  return v.outcomes.size > 0 || v.scored !== undefined || v.qualityIssues.size > 0;
}

/**
 * Prometheus' `histogram_quantile`: linear interpolation inside the bucket
 * the rank falls in; the lowest bucket's lower edge is 0, a rank in the +Inf
 * bucket gives the highest finite bound
 * (https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile).
 * Undefined when nothing was observed.
 */
export function quantile(q: number, buckets: Buckets): number | undefined {
  const { bounds, counts } = buckets;
  const count = last(counts);
  if (!(count > 0) || bounds.length === 0) return undefined;
  const rank = q * count;
  let i = 0;
  while (i < counts.length - 1 && counts[i]! < rank) i++;
  const upper = bounds[i]!;
  if (upper === Number.POSITIVE_INFINITY) return bounds.length > 1 ? bounds[bounds.length - 2] : undefined;
  const lower = i === 0 ? 0 : bounds[i - 1]!;
  const below = i === 0 ? 0 : counts[i - 1]!;
  const inBucket = counts[i]! - below;
  if (i === 0 && upper <= 0) return upper;
  return inBucket <= 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
}

/** The observations between two cumulative snapshots of one histogram (a reset or a changed layout gives the newer one whole). */
function difference(now: Buckets, before: Buckets): Buckets {
  if (now.bounds.length !== before.bounds.length || now.bounds.some((b, i) => b !== before.bounds[i])) return now;
  const counts = now.counts.map((c, i) => c - before.counts[i]!);
  return counts.some((c) => c < 0) ? now : { bounds: now.bounds, counts };
}

function shares(buckets: Buckets): number[] {
  const count = last(buckets.counts);
  if (!(count > 0)) return [];
  return buckets.counts.map((c, i) => (c - (i === 0 ? 0 : buckets.counts[i - 1]!)) / count);
}

function last(values: readonly number[]): number {
  return values.length === 0 ? 0 : values[values.length - 1]!;
}

function total(map: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const value of map.values()) sum += value;
  return sum;
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}
