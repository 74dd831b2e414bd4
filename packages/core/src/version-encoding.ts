/**
 * Numeric encoding of a model version for `ml_active_model_version`, after the
 * classic prometheus_client model-version gauge: a whole number (with an
 * optional leading `v`) stays itself; `MAJOR.MINOR[.PATCH]` (optional `v`) becomes
 * `MAJOR * 1e6 + MINOR * 1e3 + PATCH`, so `1.2.3` is 1002003 and order is kept
 * while MINOR and PATCH stay below 1000. Anything else has no encoding:
 * supply `versionNumber` in the options.
 *
 * @example
 * ```ts
 * encodeVersion('3');      // 3
 * encodeVersion('v1.2');   // 1002000
 * encodeVersion('v1.2.3'); // 1002003
 * encodeVersion('2024-05-01-blue'); // undefined
 * ```
 */
export function encodeVersion(version: string): number | undefined {
  const whole = /^v?(\d{1,15})$/.exec(version);
  if (whole !== null) return Number(whole[1]);
  const semver = /^v?(\d{1,9})\.(\d{1,3})(?:\.(\d{1,3}))?$/.exec(version);
  if (semver !== null) {
    return Number(semver[1]) * 1e6 + Number(semver[2]) * 1e3 + Number(semver[3] ?? 0);
  }
  return undefined;
}
