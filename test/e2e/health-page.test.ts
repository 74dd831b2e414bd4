/**
 * The health page in a real browser (Debian's chromium over the DevTools
 * protocol) from the demo with its traffic running: after two samples, the
 * figures in the DOM agree with the exposition scraped around the same
 * moment; the page loads nothing from elsewhere, reads without script, fits
 * a narrow window; a screenshot is kept as an artefact
 * ($INFEROMETER_ARTEFACTS_DIR, else the system's temporary folder).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_TYPE_INVALID_INPUT, METRIC_PREDICTION_ERRORS, METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { parseExposition, type Exposition } from '@inferometer/core/prometheus';
import { startBrowser, type Browser } from '../support/chromium.js';
import { startDemoProcess, type DemoProcess } from '../support/demo-process.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTEFACTS = process.env.INFEROMETER_ARTEFACTS_DIR ?? join(tmpdir(), 'inferometer-artefacts');

let demo: DemoProcess;
let browser: Browser;
let pageUrl: string;

beforeAll(async () => {
  // Drift scores once 20 rows are in (the demo's default waits for 300).
  // The model fails 1 call in 10 (IRIS_FAULT_RATIO), beside the demo's 5 %
  // of invalid requests: both kinds of error for the error ratio.
  [demo, browser] = await Promise.all([startDemoProcess(['--rate', '20', '--drift-min-rows', '20'], { IRIS_FAULT_RATIO: '0.1' }), startBrowser()]);
  // `npm start` prints the page's URL.
  pageUrl = (await demo.waitForLine(/model health page at (\S+)/))[1]!;
}, 120_000);
afterAll(async () => {
  await Promise.allSettled([demo?.stop(), browser?.close()]);
});

/**
 * The figures of the iris model a scrape shows: calls; the model's failures
 * and the calls attempted, as the generated error-ratio rule counts them
 * (invalid input, the caller's mistake, in neither); and the latency
 * buckets, summed over statuses and series.
 */
function scraped(exposition: Exposition): { calls: number; attempted: number; errors: number; refused: number; buckets: [number, number][] } {
  let calls = 0;
  let ended = 0;
  let errors = 0;
  let refused = 0;
  for (const sample of exposition.families.get(METRIC_PREDICTIONS.prometheusName)?.samples ?? []) {
    if (sample.labels.model_name !== 'iris') continue;
    calls += sample.value;
    if (sample.labels.status === 'success' || sample.labels.status === 'error') ended += sample.value;
  }
  for (const sample of exposition.families.get(METRIC_PREDICTION_ERRORS.prometheusName)?.samples ?? []) {
    if (sample.labels.model_name !== 'iris') continue;
    if (sample.labels.error_type === ERROR_TYPE_INVALID_INPUT) refused += sample.value;
    else errors += sample.value;
  }
  const byBound = new Map<number, number>();
  for (const sample of exposition.families.get(METRIC_PREDICTION_LATENCY.prometheusName)?.samples ?? []) {
    if (sample.name !== `${METRIC_PREDICTION_LATENCY.prometheusName}_bucket` || sample.labels.model_name !== 'iris') continue;
    const le = sample.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(sample.labels.le);
    byBound.set(le, (byBound.get(le) ?? 0) + sample.value);
  }
  return { calls, attempted: ended - refused, errors, refused, buckets: [...byBound].sort(([a], [b]) => a - b) };
}

/** The bucket `[lower, upper]` the q-quantile's rank falls in. */
function bucketOf(q: number, buckets: readonly [number, number][]): [number, number] {
  const rank = q * buckets.at(-1)![1];
  const at = buckets.findIndex(([, count]) => count >= rank);
  return [at === 0 ? 0 : buckets[at - 1]![0], buckets[at]![0]];
}

async function scrape(): Promise<{ figures: ReturnType<typeof scraped>; done: number }> {
  const response = await fetch(new URL('/metrics', pageUrl));
  const body = await response.text();
  expect(response.status).toBe(200);
  return { figures: scraped(parseExposition(body)), done: Date.now() };
}

/** Polls the page (which refreshes itself every 5 s) until `condition` holds in it; bounded, not a margin. */
async function untilInPage(condition: string, bound = 90_000): Promise<void> {
  const started = performance.now();
  while (!(await browser.evaluate<boolean>(condition))) {
    if (performance.now() - started > bound) throw new Error(`the page did not come to ${condition} within ${bound} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const value = (key: string): string => `Number(document.querySelector('tr[data-key="${key}"] td.v')?.dataset.value)`;

describe('the health page in a real browser', () => {
  it('shows, after two samples, the calls, error ratio and p99 the exposition holds at the same moment', async () => {
    await browser.viewport(1200, 900);
    await browser.navigate(pageUrl);
    await untilInPage(`Number(document.querySelector('main').dataset.samples) >= 2`);
    // The page's sample is taken after the first scrape ended and read before
    // the second starts, so its counts lie between the two scrapes'.
    const before = await scrape();
    await untilInPage(`Number(document.querySelector('main').dataset.at) > ${before.done}`);
    const page = await browser.evaluate<{ calls: number; ratio: number; p99: number; rate: number; samples: number }>(
      `({ calls: ${value('iris/1.0.0/calls_total')}, ratio: ${value('iris/1.0.0/error_ratio_total')}, p99: ${value('iris/1.0.0/latency_p99_total')}, rate: ${value('iris/1.0.0/calls_per_second')}, samples: Number(document.querySelector('main').dataset.samples) })`,
    );
    const after = await scrape();
    const [b, a] = [before.figures, after.figures];
    expect(page.calls).toBeGreaterThanOrEqual(b.calls);
    expect(page.calls).toBeLessThanOrEqual(a.calls);
    expect(page.rate).toBeGreaterThan(0);
    // The error ratio lies between the lowest and the highest the two scrapes allow.
    expect(b.errors).toBeGreaterThan(0);
    expect(b.refused).toBeGreaterThan(0);
    // (The model's failures over the calls attempted, as the page and the alert rules count it.)
    expect(page.ratio).toBeGreaterThanOrEqual(b.errors / a.attempted);
    expect(page.ratio).toBeLessThanOrEqual(a.errors / b.attempted);
    // p99 within the histogram's bucket resolution: inside the buckets the two scrapes' p99 ranks fall in.
    const low = bucketOf(0.99, b.buckets);
    const high = bucketOf(0.99, a.buckets);
    expect(page.p99).toBeGreaterThanOrEqual(Math.min(low[0], high[0]));
    expect(page.p99).toBeLessThanOrEqual(Math.max(low[1], high[1]));
    console.log(`page after ${page.samples} samples: ${page.calls} calls (scrapes ${b.calls}..${a.calls}), error ratio ${page.ratio.toFixed(4)}, p99 ${(page.p99 * 1000).toFixed(2)} ms (buckets ${low.join('-')} / ${high.join('-')} s), ${page.rate.toFixed(1)} calls/s`);

    // Charts are inline SVG, one per figure held in the history.
    expect(await browser.evaluate<number>(`document.querySelectorAll('tr[data-key] svg[role=img]').length`)).toBeGreaterThan(10);
    // Drift rows carry their thresholds (the scores appear once the monitor's window has its rows).
    await untilInPage(`document.querySelector('tr[data-key^="iris/1.0.0/drift/"]') !== null`);
    expect(await browser.evaluate<string>(`document.querySelector('tr[data-key^="iris/1.0.0/drift/"] th').textContent`)).toMatch(/critical/);
    // Everything the page loaded came from its own origin.
    const origin = new URL(pageUrl).origin;
    expect(browser.requests().filter((url) => !url.startsWith(origin) && !url.startsWith('about:') && !url.startsWith('data:'))).toEqual([]);

    const png = await browser.screenshot();
    mkdirSync(ARTEFACTS, { recursive: true });
    writeFileSync(join(ARTEFACTS, 'health-page.png'), png);
    // The README's picture is refreshed on request, not by every run.
    if (process.env.INFEROMETER_UPDATE_SCREENSHOT === '1') writeFileSync(join(root, 'docs', 'images', 'health-page.png'), png);
    console.log(`screenshot: ${join(ARTEFACTS, 'health-page.png')} (${png.byteLength} bytes)`);
  }, 180_000);

  it('fits a narrow window without sideways scrolling', async () => {
    await browser.viewport(360, 740, true);
    await browser.navigate(pageUrl);
    const { scroll, width } = await browser.evaluate<{ scroll: number; width: number }>(`({ scroll: document.documentElement.scrollWidth, width: window.innerWidth })`);
    expect(scroll).toBeLessThanOrEqual(width);
    writeFileSync(join(ARTEFACTS, 'health-page-narrow.png'), await browser.screenshot());
  }, 60_000);

  it('is readable without script: the figures are a table', async () => {
    await browser.viewport(1200, 900);
    await browser.scripts(false);
    try {
      await browser.navigate(pageUrl);
      expect(await browser.evaluate<boolean>(`Number.isFinite(${value('iris/1.0.0/calls_total')})`)).toBe(true);
      const header = await browser.evaluate<string[]>(`[...document.querySelectorAll('table')[0].querySelectorAll('thead th')].map((th) => th.textContent)`);
      expect(header).toEqual(['Figure', 'Now', 'Last 15 minutes']);
    } finally {
      await browser.scripts(true);
    }
  }, 60_000);
});
