/** Name and version, for the User-Agent header and the self-metrics' meter (kept equal to package.json by a test). */
export const PACKAGE_NAME = '@inferometer/exporter-remote-write';
export const PACKAGE_VERSION = '0.1.0';
