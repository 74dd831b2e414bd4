/**
 * A parser for the Prometheus text exposition format 0.0.4 (and the subset
 * of OpenMetrics the OpenTelemetry exporter writes: `# UNIT`, `# EOF`),
 * enough for the doctor to count families and series and to say on which
 * line a broken exposition breaks. Format reference:
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

/** One sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A metric family: the samples under one `# TYPE` (or one bare name). */
export interface Family {
  readonly name: string;
  readonly type: string;
  readonly samples: Sample[];
}

/** The parsed exposition; `errors` lists unparsable lines (1-based line numbers). */
export interface Exposition {
  readonly families: Map<string, Family>;
  readonly sampleCount: number;
  readonly errors: string[];
  /** Comment lines saying the exporter failed to collect (the upstream OTel exporter answers 200 with one). */
  readonly failureComments: string[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count', '_created'] as const;
const SUMMARY_SUFFIXES = ['_sum', '_count', '_created'] as const;

function parseValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  return text !== '' && !Number.isNaN(value) ? value : undefined;
}

/** Parses `{a="1",b="x\"y"}` starting at `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } | string {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === ' ') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const eq = line.indexOf('=', i);
    if (eq < 0) return 'label without "="';
    const name = line.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) return `invalid label name ${JSON.stringify(name)}`;
    if (line[eq + 1] !== '"') return `label ${name}: value must be double-quoted`;
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        const next = line[++j];
        value += next === 'n' ? '\n' : next;
      } else {
        value += line[j];
      }
    }
    if (j >= line.length) return `label ${name}: unterminated value`;
    if (name in labels) return `duplicate label ${name}`;
    labels[name] = value;
    i = j + 1;
    while (line[i] === ' ') i++;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') return `expected "," or "}" after label ${name}`;
  }
}

/** Parses an exposition body. */
export function parseExposition(body: string): Exposition {
  const types = new Map<string, string>();
  const families = new Map<string, Family>();
  const errors: string[] = [];
  const failureComments: string[] = [];
  let sampleCount = 0;
  const familyOf = (sampleName: string): Family => {
    let familyName = sampleName;
    if (!types.has(sampleName)) {
      for (const suffix of HISTOGRAM_SUFFIXES) {
        const base = sampleName.slice(0, -suffix.length);
        const type = sampleName.endsWith(suffix) ? types.get(base) : undefined;
        if (type === 'histogram' || (type === 'summary' && (SUMMARY_SUFFIXES as readonly string[]).includes(suffix))) {
          familyName = base;
          break;
        }
      }
    }
    let family = families.get(familyName);
    if (family === undefined) {
      family = { name: familyName, type: types.get(familyName) ?? 'untyped', samples: [] };
      families.set(familyName, family);
    }
    return family;
  };
  body.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    const where = `line ${index + 1}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const parts = line.split(/\s+/);
      if (parts[1] === 'TYPE') {
        if (parts.length < 4 || !NAME.test(parts[2] ?? '')) errors.push(`${where}: malformed # TYPE line`);
        // Prometheus refuses the whole scrape on a repeated TYPE line.
        else if (types.has(parts[2]!)) errors.push(`${where}: second # TYPE line for ${parts[2]!}`);
        else types.set(parts[2]!, parts[3]!);
      } else if (/failed to export/i.test(line)) {
        failureComments.push(line);
      }
      return;
    }
    const nameEnd = line.search(/[{\s]/);
    const name = nameEnd < 0 ? line : line.slice(0, nameEnd);
    if (!NAME.test(name)) {
      errors.push(`${where}: invalid metric name ${JSON.stringify(name)}`);
      return;
    }
    let rest = nameEnd < 0 ? '' : line.slice(nameEnd);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest, 0);
      if (typeof parsed === 'string') {
        errors.push(`${where}: ${parsed}`);
        return;
      }
      labels = parsed.labels;
      rest = rest.slice(parsed.end);
    }
    const fields = rest.trim().split(/\s+/);
    const value = parseValue(fields[0] ?? '');
    if (value === undefined || fields.length > 2) {
      errors.push(`${where}: expected "<value> [timestamp]" after ${name}, got ${JSON.stringify(rest.trim())}`);
      return;
    }
    familyOf(name).samples.push({ name, labels, value });
    sampleCount++;
  });
  return { families, sampleCount, errors, failureComments };
}

/** Distinct series of a family (histogram buckets of one series count once). */
export function seriesCount(family: Family): number {
  const keys = new Set<string>();
  for (const sample of family.samples) {
    const { le: _le, quantile: _quantile, ...labels } = sample.labels;
    keys.add(JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))));
  }
  return keys.size;
}
