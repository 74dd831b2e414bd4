import { readFile } from 'node:fs/promises';
import { CLASSES, FEATURE_COUNT } from './model.js';

/**
 * The training rows (the four measurements of each) from the CSV the build
 * writes (model/iris-train.csv): the demo traffic replays them, so that
 * without `--drift` the traffic follows the reference profile and the drift
 * scores stay low.
 */
export async function loadTrainingRows(path: string): Promise<number[][]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`training rows not found at ${path}; build the demo first: npm run build -w @inferometer/example-onnx-iris`);
  }
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').slice(0, FEATURE_COUNT).map(Number));
  if (rows.length === 0 || rows.some((row) => row.length !== FEATURE_COUNT || row.some((v) => !Number.isFinite(v)))) {
    throw new Error(`${path} is not the demo's training CSV (a header, then rows of ${FEATURE_COUNT} numbers first)`);
  }
  return rows;
}

/**
 * The true species of each training row: the CSV keeps the iris data set's
 * order, 50 rows of each species (setosa, versicolor, virginica). The demo's
 * feedback traffic reports these as the outcomes.
 */
export function speciesOf(rows: readonly unknown[]): string[] {
  if (rows.length !== 150) throw new Error(`expected the 150 rows of the iris data set in its order; got ${rows.length}`);
  return rows.map((_, i) => CLASSES[Math.floor(i / 50)]!);
}
