import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, ksCriticalValue } from '@inferometer/drift';
import { startDemoProcess, type DemoProcess } from '../support/demo-process.js';
import { eventually } from '../support/ports.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { METRIC_DATA_DRIFT_SCORE, METRIC_PREDICTION_DRIFT_SCORE } from '@inferometer/drift/catalog';
import { ATTR_EXECUTION_PROVIDER, METRIC_MODEL_LOAD } from '@inferometer/onnxruntime';

// Streaming drift end to end: the demo's traffic replays the iris training rows
// (what the reference profile was built from), then shifts petal_length by
// 1.5 cm. A real Prometheus scraping every second must see
// ml_data_drift_score{feature="petal_length"} cross the PSI threshold within
// one window of the shift, and the unshifted features stay low throughout.
// About 170 rows/s (100 requests/s, 1.7 rows each): the 8 s window holds
// about 1400 rows, and scores start at MIN_ROWS, where the sampling noise of
// PSI over 10 bins (about chi2(9) / n) stays far below 0.1.
const WINDOW_SECONDS = 8;
const SHIFT_AFTER_SECONDS = 8;
const MIN_ROWS = 400;
const SCRAPE_SECONDS = 1;
const CRITICAL = DEFAULT_THRESHOLDS.psi.critical; // 0.25
const LOW = DEFAULT_THRESHOLDS.psi.warning; // 0.1
const JS_LOW = DEFAULT_THRESHOLDS.js.critical; // 0.2: the JS distance is noisier (about sqrt(chi2 / 8n ln 2))
const SCORE = METRIC_DATA_DRIFT_SCORE.prometheusName;

let demo: DemoProcess;
let prometheus: PrometheusServer;

beforeAll(async () => {
  demo = await startDemoProcess([
    '--rate', '100',
    '--drift',
    '--drift-after', String(SHIFT_AFTER_SECONDS),
    '--drift-window', `${WINDOW_SECONDS}s`,
    '--drift-min-rows', String(MIN_ROWS),
  ]);
  prometheus = await startPrometheus([{ job: 'iris', target: `127.0.0.1:${demo.metricsPort}` }]);
});
afterAll(async () => {
  await Promise.allSettled([demo?.stop(), prometheus?.stop()]);
});

/**
 * The scores of one series over the last `seconds`, as [unix seconds, value].
 * NaN samples are left out: the monitor reports NaN, "no score", while a
 * window holds fewer than MIN_ROWS rows, which happens when a loaded
 * machine's demo sends fewer requests than its rate; they are not scores.
 */
async function samples(selector: string, seconds = 120): Promise<[number, number][]> {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(`${selector}[${seconds}s]`)}`);
  const body = (await response.json()) as { data: { result: { values: [number, string][] }[] } };
  if (body.data.result.length !== 1) throw new Error(`${selector}: ${body.data.result.length} series`);
  return body.data.result[0]!.values.map(([t, v]): [number, number] => [t, Number(v)]).filter(([, v]) => !Number.isNaN(v));
}

describe('drift in a real Prometheus', () => {
  it('scores petal_length above the threshold within one window of the shift, and low before it', async () => {
    const shifted = `${SCORE}{job="iris",model_name="iris",model_version="1.0.0",feature="petal_length",method="psi"}`;
    const [, at] = await demo.waitForLine(/drift: petal_length shifted by 1\.5 cm from (\d+)/, 30_000);
    const shiftSeconds = Number(at) / 1000;
    const crossed = await prometheus.waitFor(shifted, (v) => v > CRITICAL, (WINDOW_SECONDS + 10) * 1000);
    expect(crossed).toBeGreaterThan(CRITICAL);
    const series = await samples(shifted);
    const before = series.filter(([t]) => t < shiftSeconds);
    const firstAbove = series.find(([t, v]) => t >= shiftSeconds && v > CRITICAL);
    // Scores were reported before the shift (the window filled with replayed training rows), all low.
    expect(before.length).toBeGreaterThan(0);
    for (const [, v] of before) expect(v).toBeLessThan(LOW);
    // The score crossed within one window (plus one scrape) of the shift.
    expect(firstAbove).toBeDefined();
    expect(firstAbove![0] - shiftSeconds).toBeLessThanOrEqual(WINDOW_SECONDS + SCRAPE_SECONDS);
  });

  it('keeps the unshifted features low the whole time (PSI and Jensen-Shannon)', async () => {
    for (const feature of ['sepal_length', 'sepal_width', 'petal_width']) {
      for (const [method, low] of [['psi', LOW], ['js', JS_LOW]] as const) {
        // Four scores at least (bounded wait): on a loaded machine the demo
        // sends fewer requests than its rate, and windows short of rows
        // report NaN, "no score", for a while.
        const selector = `${SCORE}{job="iris",feature="${feature}",method="${method}"}`;
        const values = await eventually(`four ${feature} ${method} scores`, async () => {
          const found = await samples(selector);
          return found.length > 3 ? found : undefined;
        }, 60_000);
        for (const [, v] of values) expect(v, `${feature} ${method}`).toBeLessThan(low);
      }
    }
    // KS on the shifted feature passes its 5 % critical value for the window
    // (at least MIN_ROWS rows) against the 150 reference rows.
    const critical = ksCriticalValue(MIN_ROWS, 150);
    const ks = await prometheus.waitFor(`${SCORE}{job="iris",feature="petal_length",method="ks"}`, (v) => v > critical, WINDOW_SECONDS * 1000);
    expect(ks).toBeGreaterThan(critical);
  });

  it('also reports prediction drift, and the model load time with its execution provider', async () => {
    const classes = await prometheus.query(`${METRIC_PREDICTION_DRIFT_SCORE.prometheusName}{job="iris",prediction="class",method="js"}`);
    expect(classes).toHaveLength(1);
    expect(Number(classes[0]!.value[1])).toBeGreaterThan(0);
    const loads = await prometheus.query(`${METRIC_MODEL_LOAD.prometheusName}_count{job="iris",model_name="iris",model_version="1.0.0",${ATTR_EXECUTION_PROVIDER}="cpu"}`);
    expect(loads).toHaveLength(1);
    expect(Number(loads[0]!.value[1])).toBe(1);
  });
});
