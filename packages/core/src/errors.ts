/**
 * A configuration value that Inferometer cannot use. Thrown at
 * configuration (options, `configureGuards`, `createAttributeGuard`,
 * `attachCollector`, `start()`), never on a call's path. Code that needs to
 * tell what was wrong reads {@link InferometerConfigError.option} and
 * {@link InferometerConfigError.accepted}; it never has to parse the message.
 *
 * Extends `TypeError` so callers that already catch `TypeError` keep working.
 * {@link InstrumentOptionError} (an option of `instrument()` / `@Instrument`)
 * is one of these.
 *
 * @example
 * ```ts
 * try {
 *   configureGuards({ maxSeriesPerMetric: 0 });
 * } catch (err) {
 *   if (err instanceof InferometerConfigError) console.error(`fix option ${err.option}: ${err.accepted.join(' or ')}`);
 * }
 * ```
 */
export class InferometerConfigError extends TypeError {
  override readonly name: string = 'InferometerConfigError';

  constructor(
    /** The option (or environment variable) the error blames, e.g. `maxSeriesPerMetric`, `buckets.latency` or `unboundedKeyPatterns`. */
    readonly option: string,
    message: string,
    /**
     * What the option accepts: its values when they can be listed (`['cumulative', 'delta']`,
     * every option key closest first), else the accepted form (`['a whole number from 1 to 1000000']`).
     */
    readonly accepted: readonly string[],
  ) {
    super(message);
  }
}

/**
 * Thrown by {@link instrument} and {@link Instrument} when an option is
 * wrong: a value of the wrong kind, a bad label name, unordered buckets, or
 * a key the options do not take (a typo such as `versoin` in plain
 * JavaScript, where `accepted` lists every key, closest first). An
 * {@link InferometerConfigError}: code reads `option` and `accepted`, not
 * the message.
 *
 * @example
 * ```ts
 * try {
 *   instrument(predict, { model: 'iris', versoin: '1.0.0' } as never);
 * } catch (err) {
 *   if (err instanceof InstrumentOptionError) console.error(err.option, err.accepted[0]); // 'versoin' 'version'
 * }
 * ```
 */
export class InstrumentOptionError extends InferometerConfigError {
  override readonly name: string = 'InstrumentOptionError';
}
