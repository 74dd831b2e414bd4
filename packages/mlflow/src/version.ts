// Generated from package.json by tsup.base.ts on every build: do not edit.

/** The package name, as package.json has it. */
export const PACKAGE_NAME = '@inferometer/mlflow';

/** The package version, as package.json has it (the instrumentation scope version, the User-Agent). */
export const VERSION = '0.1.0';
