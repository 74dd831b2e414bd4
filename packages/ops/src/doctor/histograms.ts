/**
 * Which kind of histogram an endpoint serves: classic buckets (text, or
 * protobuf Bucket messages) and/or native histograms (protobuf Histogram
 * messages with a schema and spans; prometheus/client_model
 * io/prometheus/client/metrics.proto). Asked for the way Prometheus with
 * `--enable-feature=native-histograms` asks, protobuf first.
 */

/** The Accept header of Prometheus 2.x with native histograms enabled (scrape/scrape.go). */
export const NATIVE_SCRAPE_ACCEPT =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** Histogram families of a protobuf exposition, by kind. */
export interface HistogramKinds {
  readonly native: string[];
  readonly classic: string[];
}

/** Reads the families of a delimited MetricFamily stream, noting which histograms have native and which classic buckets. */
export function histogramKindsOf(bytes: Uint8Array): HistogramKinds {
  const native = new Set<string>();
  const classic = new Set<string>();
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[pos++];
      if (b === undefined) throw new RangeError('truncated varint');
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
  };
  /** Walks the fields of bytes[start, end): `field` gets (number, wire type, value start, value end). */
  const fields = (start: number, end: number, field: (n: number, wire: number, from: number, to: number) => void): void => {
    pos = start;
    while (pos < end) {
      const key = varint();
      const wire = key & 7;
      const n = Math.floor(key / 8);
      let from = pos;
      if (wire === 0) varint();
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const length = varint();
        from = pos;
        pos += length;
      } else throw new RangeError(`unsupported wire type ${wire}`);
      const to = pos;
      field(n, wire, from, to);
      pos = to;
    }
  };
  while (pos < bytes.length) {
    const length = varint();
    const start = pos;
    const end = start + length;
    let name = '';
    const metrics: [number, number][] = [];
    fields(start, end, (n, wire, from, to) => {
      if (n === 1 && wire === 2) name = Buffer.from(bytes.subarray(from, to)).toString('utf8');
      if (n === 4 && wire === 2) metrics.push([from, to]);
    });
    for (const [mFrom, mTo] of metrics) {
      const histograms: [number, number][] = [];
      fields(mFrom, mTo, (n, wire, from, to) => {
        if (n === 7 && wire === 2) histograms.push([from, to]);
      });
      for (const [hFrom, hTo] of histograms) {
        fields(hFrom, hTo, (n) => {
          if (n === 3) classic.add(name);
          // positive_span, negative_span, zero_count (schema alone is 0 for schema 0): a native histogram.
          if (n === 9 || n === 12 || n === 7) native.add(name);
        });
      }
    }
    pos = end;
  }
  return { native: [...native], classic: [...classic] };
}
