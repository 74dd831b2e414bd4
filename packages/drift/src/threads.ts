// `@inferometer/drift/threads`: what a main thread that aggregates worker
// threads imports to score the union of their drift windows
// (`@inferometer/node` does it on first need). Not for direct use.
export { mergeThreadParts } from './monitor/threads.js';
