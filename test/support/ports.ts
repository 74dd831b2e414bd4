// One implementation for the packages' tests and the end-to-end suite: @inferometer/testing.
export { eventually, freePort } from '@inferometer/testing';
