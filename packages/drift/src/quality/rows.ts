/** Receives the values of each row, then the row's end. @internal */
export interface RowSink {
  value(j: number, value: unknown): void;
  endRow(): void;
}

/** Returned by {@link walkRows} for an input of no known shape. @internal */
export const UNSUPPORTED_ROWS = -1;

/**
 * Walks the rows of a features value where they are (tensor data, rows of
 * values, one row, records, one record), the shapes the drift monitor
 * reads, handing each value to `sink`: nothing is copied or allocated.
 * `names` reads records; `width` checks rows. Returns the rows dropped for
 * the wrong width, or {@link UNSUPPORTED_ROWS}.
 *
 * @internal
 */
export function walkRows(input: unknown, width: number, names: readonly string[] | undefined, sink: RowSink): number {
  if (typeof input !== 'object' || input === null) return UNSUPPORTED_ROWS;
  const dims = (input as { dims?: unknown }).dims;
  if (Array.isArray(dims)) {
    const data = (input as { data?: ArrayLike<unknown> }).data;
    if (data === undefined || data === null || typeof data.length !== 'number') return UNSUPPORTED_ROWS;
    const rows = dims.length === 2 ? Number(dims[0]) : dims.length === 1 ? 1 : -1;
    const w = dims.length === 2 ? Number(dims[1]) : Number(dims[0]);
    if (rows < 0) return UNSUPPORTED_ROWS;
    if (w !== width || data.length < rows * w) return Math.max(rows, 1);
    for (let r = 0, base = 0; r < rows; r++, base += w) {
      for (let j = 0; j < width; j++) sink.value(j, data[base + j]);
      sink.endRow();
    }
    return 0;
  }
  const length = (input as { length?: unknown }).length;
  if (typeof length !== 'number') {
    if (names === undefined) return UNSUPPORTED_ROWS;
    record(input as Record<string, unknown>, names, sink);
    return 0;
  }
  if (length === 0) return 0;
  const list = input as ArrayLike<unknown>;
  const first = list[0];
  if (typeof first !== 'object' || first === null) {
    // One row of values (an array or a typed array).
    if (length !== width) return 1;
    for (let j = 0; j < width; j++) sink.value(j, list[j]);
    sink.endRow();
    return 0;
  }
  let dropped = 0;
  if (typeof (first as { length?: unknown }).length === 'number') {
    for (let r = 0; r < length; r++) {
      const row = list[r] as ArrayLike<unknown> | null | undefined;
      if (row === null || row === undefined || row.length !== width) {
        dropped++;
        continue;
      }
      for (let j = 0; j < width; j++) sink.value(j, row[j]);
      sink.endRow();
    }
    return dropped;
  }
  if (names === undefined) return UNSUPPORTED_ROWS;
  for (let r = 0; r < length; r++) {
    const item = list[r];
    if (typeof item !== 'object' || item === null) {
      dropped++;
      continue;
    }
    record(item as Record<string, unknown>, names, sink);
  }
  return dropped;
}

function record(item: Readonly<Record<string, unknown>>, names: readonly string[], sink: RowSink): void {
  for (let j = 0; j < names.length; j++) sink.value(j, item[names[j]!]);
  sink.endRow();
}
