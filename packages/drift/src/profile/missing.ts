/**
 * Strings read as missing values in training data: empty, and what pandas,
 * R and SQL exports write for NA. Shared by `buildProfile` (string columns)
 * and the `inferometer-profile` CLI.
 *
 * @internal
 */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None']);
