/**
 * The one family of configuration errors of every Inferometer package: a
 * value (an option, a flag or an environment variable) that Inferometer
 * cannot use. Thrown at configuration (options, `configureGuards`,
 * `createAttributeGuard`, `attachCollector`, `start()`, `driftMonitor()`,
 * `instrumentSession()`, the exporters' constructors, the ops generators),
 * never on a call's path. Every package's configuration error is one of
 * these: `InstrumentOptionError` (core), `ConfigurationError`
 * (@inferometer/node), `RemoteWriteOptionsError`
 * (@inferometer/exporter-remote-write) and `OpsConfigError` (@inferometer/ops)
 * extend it, so one `instanceof InferometerConfigError` catches them all.
 *
 * Code that needs to tell what was wrong reads the fields, never the message:
 * {@link InferometerConfigError.option} or {@link InferometerConfigError.variable}
 * (what is blamed), {@link InferometerConfigError.accepted} (what it accepts),
 * {@link InferometerConfigError.hint} (the accepted name a typo is closest
 * to), {@link InferometerConfigError.related} (other options or variables
 * involved) and {@link InferometerConfigError.code} (the kind of mistake).
 *
 * `accepted` is a list of values or forms (`['cumulative', 'delta']`) for the
 * errors of core, drift, onnxruntime, mlflow and ops, and one sentence for
 * `ConfigurationError` and `RemoteWriteOptionsError`, as they always had: the
 * type parameter says which.
 *
 * Extends `TypeError` so callers that already catch `TypeError` keep working
 * (drift and onnxruntime threw plain `TypeError`s before).
 *
 * @example
 * ```ts
 * try {
 *   configureGuards({ maxSeriesPerMetric: 0 });
 * } catch (err) {
 *   if (err instanceof InferometerConfigError) console.error(`fix ${err.option ?? err.variable}: ${[err.accepted].flat().join(' or ')}`);
 * }
 * ```
 */
export class InferometerConfigError<Accepted extends string | readonly string[] = readonly string[]> extends TypeError {
  override readonly name: string = 'InferometerConfigError';
  /**
   * The option blamed, as a path: `maxSeriesPerMetric`, `buckets.latency`,
   * `window.count`, `prometheus.port`. Core and @inferometer/mlflow also put
   * an environment variable's name here (as they always did);
   * `ConfigurationError` leaves it undefined when only a variable is blamed.
   */
  readonly option: string | undefined;
  /** The environment variable blamed, e.g. `OTEL_METRICS_EXPORTER`, when the value came from the environment. */
  readonly variable: string | undefined;
  /**
   * What the option accepts: its values when they can be listed (`['cumulative', 'delta']`,
   * every option key closest first), else the accepted form (`['a whole number from 1 to 1000000']`).
   */
  readonly accepted: Accepted;
  /** Other options or variables involved: a pair that must be set together, a conflicting one, the key a typo is closest to. */
  readonly related: readonly string[];
  /** For a name that is not an option (a typo): the accepted name it is closest to ("did you mean"), if one is close enough. */
  readonly hint: string | undefined;
  /** The kind of mistake, stable across releases (messages are not). */
  readonly code: InferometerConfigErrorCode;

  constructor(
    /** The option blamed (see {@link InferometerConfigError.option}). */
    option: string | undefined,
    message: string,
    /** What the option accepts (see {@link InferometerConfigError.accepted}). */
    accepted: Accepted,
    details: InferometerConfigErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.option = option;
    this.variable = details.variable;
    this.accepted = accepted;
    this.related = details.related ?? (details.hint === undefined ? [] : [details.hint]);
    this.hint = details.hint;
    this.code = details.code ?? (details.hint === undefined ? 'ERR_INFEROMETER_INVALID_OPTION' : 'ERR_INFEROMETER_UNKNOWN_OPTION');
  }
}

/**
 * The kind of an {@link InferometerConfigError}:
 * - `ERR_INFEROMETER_INVALID_OPTION`: a value the option or variable does not accept;
 * - `ERR_INFEROMETER_UNKNOWN_OPTION`: a name that is not an option (a typo; see `hint`);
 * - `ERR_INFEROMETER_CONFLICTING_OPTIONS`: values fine alone but not together (see `related`).
 *
 * @example
 * ```ts
 * if (err instanceof InferometerConfigError && err.code === 'ERR_INFEROMETER_UNKNOWN_OPTION') console.error(`did you mean ${err.hint}?`);
 * ```
 */
export type InferometerConfigErrorCode = 'ERR_INFEROMETER_INVALID_OPTION' | 'ERR_INFEROMETER_UNKNOWN_OPTION' | 'ERR_INFEROMETER_CONFLICTING_OPTIONS';

/**
 * The fields of an {@link InferometerConfigError} beyond option, message and accepted.
 *
 * @example
 * ```ts
 * new InferometerConfigError('prometheus.port', 'start() option prometheus.port=70000: …', 'a whole number from 0 to 65535', { variable: 'OTEL_EXPORTER_PROMETHEUS_PORT' });
 * ```
 */
export interface InferometerConfigErrorDetails {
  /** The environment variable blamed, if any. */
  readonly variable?: string | undefined;
  /** Other options or variables involved; defaults to `[hint]` when a hint is given, else none. */
  readonly related?: readonly string[] | undefined;
  /** The accepted name a wrong one is closest to ("did you mean"), when one is near enough to be a typo of it. */
  readonly hint?: string | undefined;
  /** Defaults to `ERR_INFEROMETER_UNKNOWN_OPTION` with a hint, else `ERR_INFEROMETER_INVALID_OPTION`; a conflict says so. */
  readonly code?: InferometerConfigErrorCode | undefined;
  /** The error that made the value unusable (a parse failure, an unreadable file). */
  readonly cause?: unknown;
}

/**
 * Thrown by {@link instrument} and {@link Instrument} when an option is
 * wrong: a value of the wrong kind, a bad label name, unordered buckets, or
 * a key the options do not take (a typo such as `versoin` in plain
 * JavaScript, where `accepted` lists every key, closest first, and `hint`
 * names the closest when it is near). An {@link InferometerConfigError}:
 * code reads `option` and `accepted`, not the message.
 *
 * @example
 * ```ts
 * try {
 *   instrument(predict, { model: 'iris', versoin: '1.0.0' } as never);
 * } catch (err) {
 *   if (err instanceof InstrumentOptionError) console.error(err.option, err.hint); // 'versoin' 'version'
 * }
 * ```
 */
export class InstrumentOptionError extends InferometerConfigError {
  override readonly name: string = 'InstrumentOptionError';
}

/** Beyond this many characters a name is no typo of an option: it is not compared (the distance costs length × length). */
const MAX_COMPARED = 256;

/**
 * Optimal string alignment distance, case-insensitive: the insertions,
 * deletions, substitutions and swaps of two neighbours that turn `a` into
 * `b`. Names longer than {@link MAX_COMPARED} characters, or whose lengths
 * differ by more than 64, are infinitely far (bounded work for any input).
 *
 * @internal
 */
export function editDistance(a: string, b: string): number {
  if (a.length > MAX_COMPARED || b.length > MAX_COMPARED || Math.abs(a.length - b.length) > 64) return Number.POSITIVE_INFINITY;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows: number[][] = Array.from({ length: x.length + 1 }, (_, i) => [i, ...new Array<number>(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[x.length]![y.length]!;
}

/** The accepted names, closest to `name` first (ties keep their order). @internal */
export function closestFirst<T extends string>(name: string, accepted: readonly T[]): T[] {
  return accepted
    .map((candidate, index) => ({ candidate, index, distance: editDistance(name, candidate) }))
    .sort((a, b) => a.distance - b.distance || a.index - b.index)
    .map(({ candidate }) => candidate);
}

/**
 * The accepted name closest to `name` when it is near enough to be a typo
 * of it ("did you mean"), else `undefined`: at most a third of the longer
 * name's length in edits, and always 2.
 *
 * @internal
 */
export function didYouMean<T extends string>(name: string, accepted: readonly T[]): T | undefined {
  const closest = closestFirst(name, accepted)[0];
  if (closest === undefined) return undefined;
  return editDistance(name, closest) <= Math.max(2, Math.floor(Math.max(name.length, closest.length) / 3)) ? closest : undefined;
}
