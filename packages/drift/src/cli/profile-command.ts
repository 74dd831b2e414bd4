import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_BINS, HARD_MAX_CATEGORIES, HARD_MAX_FEATURES, MAX_BINS, resolveLimits } from '../limits.js';
import { categoricalProfile, numericProfile } from '../profile/build.js';
import { MISSING_TOKENS } from '../profile/missing.js';
import {
  PROFILE_FORMAT,
  PROFILE_VERSION,
  type CategoricalFeatureProfile,
  type FeatureProfile,
  type NumericFeatureProfile,
  type ReferenceProfile,
} from '../profile/format.js';
import { CsvError, CsvReader } from './csv.js';

/** Where the command writes. */
export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
}


export const USAGE = `usage: inferometer-profile <data.csv> [options] > reference.json

Builds a drift reference profile (JSON, format ${PROFILE_FORMAT} v${PROFILE_VERSION}) from a CSV file
with a header row. Numeric columns get quantile bins, other columns category shares.

options:
  --bins <n>                    quantile bins per numeric column (default ${DEFAULT_BINS}, 2 to ${MAX_BINS})
  --categorical <a,b>           treat these numeric columns as categorical
  --ignore <a,b>                leave these columns out (ids, targets)
  --prediction-class <col>      column of the model's predicted classes (prediction drift)
  --prediction-confidence <col> column of the model's confidence, 0 to 1 (prediction drift)
  --max-features <n>            most feature columns (default 100, at most ${HARD_MAX_FEATURES})
  --max-categories <n>          most distinct values per categorical column (default 64, at most ${HARD_MAX_CATEGORIES})
  --delimiter <c>               field delimiter (default ,)
  -h, --help                    this text
`;

/** A failure to report with its message and exit status. */
class CommandError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The `inferometer-profile` command: reads a CSV, writes a profile to
 * stdout. Returns the exit status: 0 done, 1 the data cannot be profiled,
 * 2 wrong usage. Every error names the file, line or column, and the option
 * that would fix it.
 *
 * @internal
 */
export async function runProfileCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  try {
    const profile = await profileCsv(argv);
    if (profile === undefined) {
      io.stdout(USAGE);
      return 0;
    }
    io.stdout(`${JSON.stringify(profile, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof CommandError) {
      io.stderr(`inferometer-profile: ${err.message}\n${err.status === 2 ? `\n${USAGE}` : ''}`);
      return err.status;
    }
    throw err;
  }
}

interface Settings {
  readonly file: string;
  readonly bins: number;
  readonly categorical: ReadonlySet<string>;
  readonly ignore: ReadonlySet<string>;
  readonly predictionClass: string | undefined;
  readonly predictionConfidence: string | undefined;
  readonly maxFeatures: number;
  readonly maxCategories: number;
  readonly delimiter: string;
}

function settings(argv: readonly string[]): Settings | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        bins: { type: 'string' },
        categorical: { type: 'string' },
        ignore: { type: 'string' },
        'prediction-class': { type: 'string' },
        'prediction-confidence': { type: 'string' },
        'max-features': { type: 'string' },
        'max-categories': { type: 'string' },
        delimiter: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new CommandError(err instanceof Error ? err.message : String(err), 2);
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  if (positionals.length !== 1) throw new CommandError(positionals.length === 0 ? 'give the CSV file to profile' : `one CSV file at a time; got ${positionals.length}`, 2);
  const bins = integer('--bins', values.bins, DEFAULT_BINS, 2, MAX_BINS);
  let limits;
  try {
    limits = resolveLimits('inferometer-profile', {
      maxFeatures: integer('--max-features', values['max-features'], 100, 1, HARD_MAX_FEATURES),
      maxCategories: integer('--max-categories', values['max-categories'], 64, 1, HARD_MAX_CATEGORIES),
    });
  } catch (err) {
    throw new CommandError(err instanceof Error ? err.message : String(err), 2);
  }
  const delimiter = values.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new CommandError(`--delimiter must be one character other than a quote or a line break; got ${JSON.stringify(delimiter)}`, 2);
  }
  return {
    file: positionals[0]!,
    bins,
    categorical: list(values.categorical),
    ignore: list(values.ignore),
    predictionClass: values['prediction-class'],
    predictionConfidence: values['prediction-confidence'],
    maxFeatures: limits.maxFeatures,
    maxCategories: limits.maxCategories,
    delimiter,
  };
}

/** One column's values as they stream past: numbers kept, categories counted up to the cap. */
class Column {
  numbers = new Float64Array(1024);
  present = 0;
  missing = 0;
  allNumeric = true;
  readonly categories = new Map<string, number>();
  tooManyCategories = false;

  constructor(
    readonly name: string,
    private readonly _maxCategories: number,
  ) {}

  add(raw: string): void {
    const value = raw.trim();
    if (MISSING_TOKENS.has(value)) {
      this.missing++;
      return;
    }
    if (this.allNumeric) {
      const x = Number(value);
      if (Number.isFinite(x)) {
        if (this.present === this.numbers.length) {
          const grown = new Float64Array(this.numbers.length * 2);
          grown.set(this.numbers);
          this.numbers = grown;
        }
        this.numbers[this.present] = x;
      } else {
        this.allNumeric = false;
      }
    }
    this.present++;
    if (!this.tooManyCategories) {
      this.categories.set(value, (this.categories.get(value) ?? 0) + 1);
      if (this.categories.size > this._maxCategories) {
        this.tooManyCategories = true;
        this.categories.clear();
      }
    }
  }
}

async function profileCsv(argv: readonly string[]): Promise<ReferenceProfile | undefined> {
  const s = settings(argv);
  if (s === undefined) return undefined;
  let header: string[] | undefined;
  let columns: (Column | undefined)[] = [];
  let rows = 0;
  const reader = new CsvReader((fields, line) => {
    if (header === undefined) {
      header = readHeader(fields, s);
      columns = header.map((name) => (s.ignore.has(name) ? undefined : new Column(name, s.maxCategories)));
      return;
    }
    if (fields.length !== header.length) {
      throw new CommandError(`${s.file} line ${line}: ${fields.length} fields, but the header has ${header.length}; every row needs one value per column (ragged rows)`, 1);
    }
    rows++;
    for (let i = 0; i < fields.length; i++) columns[i]?.add(fields[i]!);
  }, s.delimiter);
  try {
    const stream = createReadStream(s.file, { encoding: 'utf8' });
    let first = true;
    for await (const chunk of stream) {
      let text = chunk as string;
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte order mark
      first = false;
      reader.push(text);
    }
    reader.end();
  } catch (err) {
    if (err instanceof CommandError) throw err;
    if (err instanceof CsvError) throw new CommandError(`${s.file} ${err.message}`, 1);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CommandError(`cannot read ${s.file}: no such file`, 1);
    if (code === 'EISDIR') throw new CommandError(`cannot read ${s.file}: it is a directory, not a CSV file`, 1);
    if (code === 'EACCES') throw new CommandError(`cannot read ${s.file}: permission denied`, 1);
    throw new CommandError(`cannot read ${s.file}: ${err instanceof Error ? err.message : String(err)}`, 1);
  }
  if (header === undefined) throw new CommandError(`${s.file} is empty: it needs a header row and data rows`, 1);
  if (rows === 0) throw new CommandError(`${s.file} has a header but no data rows`, 1);
  const features: FeatureProfile[] = [];
  let predictionClass: CategoricalFeatureProfile | undefined;
  let predictionConfidence: NumericFeatureProfile | undefined;
  for (const column of columns) {
    if (column === undefined) continue;
    if (column.name === s.predictionClass) {
      predictionClass = categorical(column, s);
    } else if (column.name === s.predictionConfidence) {
      const profile = numeric(column, s);
      if (profile.type !== 'numeric' || profile.min < 0 || profile.max > 1) {
        throw new CommandError(`column "${column.name}" (--prediction-confidence) must hold numbers from 0 to 1`, 1);
      }
      predictionConfidence = profile;
    } else {
      features.push(s.categorical.has(column.name) ? categorical(column, s) : numeric(column, s));
    }
  }
  const predictions = predictionClass || predictionConfidence
    ? { ...(predictionClass && { class: predictionClass }), ...(predictionConfidence && { confidence: predictionConfidence }) }
    : undefined;
  return { format: PROFILE_FORMAT, version: PROFILE_VERSION, rows, features, ...(predictions && { predictions }) };
}

function readHeader(fields: string[], s: Settings): string[] {
  const names = fields.map((f) => f.trim());
  names.forEach((name, i) => {
    if (name === '') throw new CommandError(`${s.file} line 1: column ${i + 1} has no name; the first row must name every column`, 1);
  });
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new CommandError(`${s.file} line 1: column name "${name}" appears twice`, 1);
    seen.add(name);
  }
  const named = (option: string, wanted: Iterable<string>): void => {
    for (const name of wanted) {
      if (!seen.has(name)) throw new CommandError(`${option} names "${name}", which is not a column of ${s.file} (${names.join(', ')})`, 2);
    }
  };
  named('--categorical', s.categorical);
  named('--ignore', s.ignore);
  if (s.predictionClass !== undefined) named('--prediction-class', [s.predictionClass]);
  if (s.predictionConfidence !== undefined) named('--prediction-confidence', [s.predictionConfidence]);
  const features = names.filter((n) => !s.ignore.has(n) && n !== s.predictionClass && n !== s.predictionConfidence);
  if (features.length === 0) throw new CommandError(`${s.file}: no feature columns left to profile`, 1);
  if (features.length > s.maxFeatures) {
    throw new CommandError(
      `${s.file} has ${features.length} feature columns; the limit is ${s.maxFeatures} (--max-features, at most ${HARD_MAX_FEATURES}). Leave columns out with --ignore`,
      1,
    );
  }
  return names;
}

function numeric(column: Column, s: Settings): FeatureProfile {
  if (!column.allNumeric) return categorical(column, s);
  if (column.present === 0) throw new CommandError(`column "${column.name}" of ${s.file} has no values`, 1);
  return numericProfile(column.name, column.numbers.subarray(0, column.present), column.missing, s.bins);
}

function categorical(column: Column, s: Settings): CategoricalFeatureProfile {
  if (column.present === 0) throw new CommandError(`column "${column.name}" of ${s.file} has no values`, 1);
  if (column.tooManyCategories) {
    throw new CommandError(
      `column "${column.name}" of ${s.file} has more than ${s.maxCategories} distinct values (--max-categories, at most ${HARD_MAX_CATEGORIES}); ` +
        `leave it out with --ignore ${column.name}${column.allNumeric ? '' : ', or encode it as numbers'}`,
      1,
    );
  }
  return categoricalProfile(column.name, column.categories, column.missing);
}

function integer(option: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new CommandError(`${option} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}`, 2);
  return n;
}

function list(raw: string | undefined): ReadonlySet<string> {
  return new Set((raw ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0));
}
