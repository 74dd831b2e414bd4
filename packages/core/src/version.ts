/** This package's version, given to the instrumentation scope. */
export const VERSION = '0.1.0';
