/**
 * A configuration value that @inferometer cannot use. Thrown at
 * configuration (options, `configureGuards`, `start()`), never on a call's
 * path. Code that needs to tell which option was wrong reads
 * {@link InferometerConfigError.option}; it never has to parse the message.
 *
 * Extends `TypeError` so callers that already catch `TypeError` keep working.
 *
 * @example
 * ```ts
 * try {
 *   configureGuards({ maxSeriesPerMetric: 0 });
 * } catch (err) {
 *   if (err instanceof InferometerConfigError) console.error(`fix option ${err.option}`);
 * }
 * ```
 */
export class InferometerConfigError extends TypeError {
  override readonly name = 'InferometerConfigError';

  constructor(
    /** The option (or environment variable) the error blames, e.g. `maxSeriesPerMetric` or `unboundedKeyPatterns`. */
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}
