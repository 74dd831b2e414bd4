import type { SlidingWindow } from '../window/window.js';
import type { FeatureEncoder } from './encoder.js';

/** Returned by the readers when the value has no shape they know. @internal */
export const UNSUPPORTED = -1;

/**
 * Adds the rows of a `features` result to the window, reading values where
 * they are (tensor data, row arrays, records): nothing is copied and nothing
 * allocated. Returns the number of rows dropped for having the wrong number
 * of values, or {@link UNSUPPORTED}.
 *
 * @internal
 */
export function ingestFeatures(input: unknown, encoder: FeatureEncoder, window: SlidingWindow, slots: Uint16Array): number {
  if (typeof input !== 'object' || input === null) return UNSUPPORTED;
  const features = encoder.features;
  const dims = (input as { dims?: unknown }).dims;
  if (Array.isArray(dims)) {
    // A tensor: [rows, features] (or [features], one row), row-major.
    const data = (input as { data?: ArrayLike<unknown> }).data;
    if (data === undefined || data === null || typeof data.length !== 'number') return UNSUPPORTED;
    const rows = dims.length === 2 ? (dims[0] as number) : dims.length === 1 ? 1 : -1;
    const width = dims.length === 2 ? (dims[1] as number) : (dims[0] as number);
    if (rows < 0 || width !== features || data.length < rows * width) return rows < 0 ? UNSUPPORTED : Math.max(rows, 1);
    for (let r = 0, base = 0; r < rows; r++, base += width) {
      for (let j = 0; j < features; j++) slots[j] = encoder.encode(j, data[base + j]);
      window.commit(slots);
    }
    return 0;
  }
  const length = (input as { length?: unknown }).length;
  if (typeof length !== 'number') {
    // One record.
    recordRow(input as Record<string, unknown>, encoder, slots);
    window.commit(slots);
    return 0;
  }
  if (length === 0) return 0;
  const list = input as ArrayLike<unknown>;
  const first = list[0];
  if (typeof first !== 'object' || first === null) {
    // One row of values.
    if (length !== features) return 1;
    for (let j = 0; j < features; j++) slots[j] = encoder.encode(j, list[j]);
    window.commit(slots);
    return 0;
  }
  let dropped = 0;
  if (typeof (first as { length?: unknown }).length === 'number') {
    // Rows of values.
    for (let r = 0; r < length; r++) {
      const row = list[r] as ArrayLike<unknown> | null | undefined;
      if (row === null || row === undefined || row.length !== features) {
        dropped++;
        continue;
      }
      for (let j = 0; j < features; j++) slots[j] = encoder.encode(j, row[j]);
      window.commit(slots);
    }
    return dropped;
  }
  // Records.
  for (let r = 0; r < length; r++) {
    const record = list[r];
    if (typeof record !== 'object' || record === null) {
      dropped++;
      continue;
    }
    recordRow(record as Record<string, unknown>, encoder, slots);
    window.commit(slots);
  }
  return dropped;
}

function recordRow(record: Readonly<Record<string, unknown>>, encoder: FeatureEncoder, slots: Uint16Array): void {
  const names = encoder.names;
  for (let j = 0; j < encoder.features; j++) slots[j] = encoder.encode(j, record[names[j]!]);
}

/**
 * Adds predicted classes: one value, an array or typed array of values, or
 * a label tensor. Returns {@link UNSUPPORTED} for anything else.
 *
 * @internal
 */
export function ingestClasses(input: unknown, encoder: FeatureEncoder, window: SlidingWindow, slots: Uint16Array): number {
  const type = typeof input;
  if (type === 'string' || type === 'number' || type === 'bigint' || type === 'boolean') {
    slots[0] = encoder.encode(0, input);
    window.commit(slots);
    return 0;
  }
  if (type !== 'object' || input === null) return UNSUPPORTED;
  const values = Array.isArray((input as { dims?: unknown }).dims) ? (input as { data?: unknown }).data : input;
  if (values === null || typeof values !== 'object' || typeof (values as { length?: unknown }).length !== 'number') return UNSUPPORTED;
  const list = values as ArrayLike<unknown>;
  for (let i = 0; i < list.length; i++) {
    slots[0] = encoder.encode(0, list[i]);
    window.commit(slots);
  }
  return 0;
}

/**
 * Adds confidences, with core's rule: a number is one; a vector is one row's
 * probabilities (its maximum); a list of vectors, or a `[rows, classes]`
 * tensor, one per row. Values outside [0, 1] count as missing.
 *
 * @internal
 */
export function ingestConfidence(input: unknown, encoder: FeatureEncoder, window: SlidingWindow, slots: Uint16Array): number {
  if (typeof input === 'number') {
    commitConfidence(input, encoder, window, slots);
    return 0;
  }
  if (typeof input !== 'object' || input === null) return UNSUPPORTED;
  const dims = (input as { dims?: unknown }).dims;
  if (Array.isArray(dims)) {
    const data = (input as { data?: ArrayLike<unknown> }).data;
    if (data === undefined || data === null || typeof data.length !== 'number') return UNSUPPORTED;
    const width = dims.length >= 2 ? (dims[dims.length - 1] as number) : data.length;
    if (!(width > 0)) return 0;
    for (let base = 0; base + width <= data.length; base += width) {
      commitConfidence(maxOf(data, base, width), encoder, window, slots);
    }
    return 0;
  }
  const list = input as ArrayLike<unknown>;
  if (typeof list.length !== 'number') return UNSUPPORTED;
  if (list.length === 0) return 0;
  const first = list[0];
  if (typeof first === 'object' && first !== null && typeof (first as { length?: unknown }).length === 'number') {
    for (let r = 0; r < list.length; r++) {
      const row = list[r] as ArrayLike<unknown> | null;
      if (row !== null && typeof row === 'object' && row.length > 0) commitConfidence(maxOf(row, 0, row.length), encoder, window, slots);
    }
    return 0;
  }
  commitConfidence(maxOf(list, 0, list.length), encoder, window, slots);
  return 0;
}

function commitConfidence(value: number, encoder: FeatureEncoder, window: SlidingWindow, slots: Uint16Array): void {
  // NaN or outside [0, 1]: not a confidence, count it as missing.
  slots[0] = value >= 0 && value <= 1 ? encoder.encode(0, value) : encoder.encode(0, Number.NaN);
  window.commit(slots);
}

function maxOf(values: ArrayLike<unknown>, start: number, length: number): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let i = start; i < start + length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || v !== v) return Number.NaN;
    if (v > best) best = v;
  }
  return best;
}
