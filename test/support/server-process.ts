// One implementation for the packages' tests and the end-to-end suite: @inferometer/testing.
export { promQlClient, spawnServer } from '@inferometer/testing';
export type { PromQlClient, ServerProcess } from '@inferometer/testing';
