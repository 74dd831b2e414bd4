// One implementation for the packages' tests and the end-to-end suite: @inferometer/testing.
export { requireBinary } from '@inferometer/testing';
