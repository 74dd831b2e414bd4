import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_ROWS } from '../../src/monitor/drift-monitor.js';
import { DEFAULT_THRESHOLDS } from '../../src/monitor/methods.js';
import type { DriftMethod } from '../../src/catalog.js';
import { cohensW } from '../../src/stats/chi-squared.js';
import { jensenShannon } from '../../src/stats/jensen-shannon.js';
import { ksBinned } from '../../src/stats/ks.js';
import { psi } from '../../src/stats/psi.js';
import { DEFAULT_WINDOW } from '../../src/window/window.js';

// The thresholds the generated alerts use (`score > critical`) must stay
// quiet on a healthy model and fire on a sick one. Healthy windows are drawn
// the way the demo's traffic is: rows picked at random from the iris training
// rows the reference profile was built from, inputs and the model's recorded
// predictions (class and confidence) alike. Each window is scored as the
// monitor scores it (bins of the profile, then the statistic).
const modelDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'examples', 'onnx-iris', 'model');
interface Bins {
  readonly name: string;
  readonly type: 'numeric' | 'categorical';
  readonly edges?: number[];
  readonly categories?: string[];
  readonly proportions: number[];
}
const profile = JSON.parse(readFileSync(join(modelDir, 'iris-reference.json'), 'utf8')) as {
  features: Bins[];
  predictions: { class: Bins; confidence: Bins };
};
const [header, ...lines] = readFileSync(join(modelDir, 'iris-train.csv'), 'utf8').trim().split('\n');
const columns = header!.split(',');
const rows = lines.map((l) => l.split(','));
const watched: [Bins, number][] = [
  ...profile.features.map((f): [Bins, number] => [f, columns.indexOf(f.name)]),
  [profile.predictions.class, columns.indexOf('predicted_class')],
  [profile.predictions.confidence, columns.indexOf('confidence')],
];

/** A seeded generator (Numerical Recipes' LCG), so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// The encoder's rule: bin i holds edges[i - 1] <= v < edges[i].
const binOf = (f: Bins, value: string, shift: number): number => {
  if (f.type === 'categorical') return f.categories!.indexOf(value);
  const v = Number(value) + shift;
  let i = 0;
  while (i < f.edges!.length && v >= f.edges![i]!) i++;
  return i;
};

type Scores = Map<string, number>; // "feature method" -> score
function window(rowsInWindow: number, next: () => number, shifted?: { feature: string; by: number }): Scores {
  const counts = watched.map(([f]) => new Float64Array(f.proportions.length));
  for (let r = 0; r < rowsInWindow; r++) {
    const row = rows[Math.floor(next() * rows.length)]!;
    watched.forEach(([f, column], j) => counts[j]![binOf(f, row[column]!, shifted?.feature === f.name ? shifted.by : 0)]!++);
  }
  const scores: Scores = new Map();
  watched.forEach(([f], j) => {
    const shares = Array.from(counts[j]!, (c) => c / rowsInWindow);
    const methods: DriftMethod[] = f.type === 'numeric' ? ['psi', 'ks', 'js'] : ['chi2', 'js'];
    for (const m of methods) {
      const value = m === 'psi' ? psi(f.proportions, shares) : m === 'ks' ? ksBinned(f.proportions, shares) : m === 'js' ? jensenShannon(f.proportions, shares) : cohensW(f.proportions, counts[j]!);
      scores.set(`${f.name} ${m}`, value);
    }
  });
  return scores;
}

const fires = (key: string, value: number): boolean => value > DEFAULT_THRESHOLDS[key.split(' ')[1] as DriftMethod].critical;
const WINDOWS = 2000;

describe('DEFAULT_THRESHOLDS against healthy and shifted windows of the demo reference', () => {
  it('reports scores only from 300 rows on by default: below that PSI and JS noise reaches the thresholds', () => {
    expect(DEFAULT_MIN_ROWS).toBe(300);
    expect(DEFAULT_WINDOW).toEqual({ count: 1000 });
  });

  for (const size of [DEFAULT_MIN_ROWS, DEFAULT_WINDOW.count]) {
    it(`never fires on ${WINDOWS} healthy windows of ${size} rows, with p99 at most 60 % of the threshold`, () => {
      const next = random(size);
      const seen = new Map<string, number[]>();
      for (let w = 0; w < WINDOWS; w++) for (const [key, value] of window(size, next)) (seen.get(key) ?? seen.set(key, []).get(key)!).push(value);
      expect(seen.size).toBe(4 * 3 + 2 + 3);
      for (const [key, values] of seen) {
        expect(values.filter((v) => fires(key, v)), key).toEqual([]);
        const p99 = [...values].sort((a, b) => a - b)[Math.floor(0.99 * values.length)]!;
        expect(p99, key).toBeLessThan(0.6 * DEFAULT_THRESHOLDS[key.split(' ')[1] as DriftMethod].critical);
      }
    });
  }

  it('fires for the shifted feature only: petal_length + 1.5 cm (the demo --drift), sepal_width + 0.5 cm', () => {
    const next = random(7);
    for (const shifted of [{ feature: 'petal_length', by: 1.5 }, { feature: 'sepal_width', by: 0.5 }]) {
      for (let w = 0; w < 50; w++) {
        const firing = [...window(DEFAULT_MIN_ROWS, next, shifted)].filter(([key, value]) => fires(key, value)).map(([key]) => key);
        expect(firing).toEqual([`${shifted.feature} psi`, `${shifted.feature} ks`, `${shifted.feature} js`]);
      }
    }
  });
});
