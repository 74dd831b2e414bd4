import { availableParallelism } from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Test files that take the longest (from the slowest-files list `.ci/run`
 * prints), started first when vitest has no timings of its own yet (a fresh
 * clone or CI machine): a long file started last would run alone at the end.
 * Once `node_modules/.vite/vitest` holds the timings of a run, vitest's own
 * order (failed first, then longest first) is used.
 */
const SLOW_FIRST = [
  'test/packaging-types.test.ts',
  'test/e2e/alerting.test.ts',
  'test/packaging-otel.test.ts',
  'packages/node/test/prometheus/coordinator.test.ts',
  'test/e2e/remote-write.test.ts',
  'packages/node/test/cluster/cluster.test.ts',
  'packages/node/test/cluster/threads.test.ts',
  'packages/node/test/config/environment.test.ts',
  'test/e2e/threads-remote-write.test.ts',
  'packages/node/test/prometheus/validity.test.ts',
  'test/packaging.test.ts',
  'test/readme-snippets.test.ts',
  'test/docs.test.ts',
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const key = (file: TestSpecification): string => file.moduleId.slice(root.length + 1);
    if (sorted.every((file) => this.ctx.cache.getFileTestResults(`${file.project.name}:${key(file)}`) !== undefined)) return sorted;
    const rank = (file: TestSpecification): number => {
      const at = SLOW_FIRST.indexOf(key(file));
      return at === -1 ? SLOW_FIRST.length : at;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

// One run for the whole repo: unit tests beside each package's sources
// (packages/*/test mirrors packages/*/src), the example's tests, and the
// end-to-end suite in test/ that starts real servers.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Bounds for a hung test or hook, not margins: with two files per core
    // (below) a CPU-bound test (tsc, promtool, a fresh process per case) can
    // take three times as long as alone, more with other load beside it.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // End-to-end tests bind ports and start servers; isolate them in forks.
    pool: 'forks',
    // Two files per core, where vitest would run one file at a time on a
    // 2-core machine (cores - 1): most of an end-to-end file's time is spent
    // waiting on a real server (Prometheus' first scrape comes some 5 s after
    // it starts, alerts wait out their `for`), time another file can use.
    // The tests wait on events and bounded conditions, not on wall-clock
    // margins, so the load this adds does not make them fail. Override with
    // VITEST_MAX_FORKS (e.g. 1 to run one file at a time).
    maxWorkers: Math.min(8, 2 * availableParallelism()),
    sequence: { sequencer: SlowFirstSequencer },
  },
});
