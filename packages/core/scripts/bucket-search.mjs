// Crossover between a linear scan and a binary search over explicit bucket
// boundaries: ns per lookup at 8..256 bounds, values spread uniformly over
// the bounds' range (every bucket equally likely: the linear scan's average
// case; latency traffic skews to the first buckets and favours it more).
// Usage: node packages/core/scripts/bucket-search.mjs
function linear(b, v) {
  const n = b.length;
  let i = 0;
  while (i < n && v > b[i]) i++;
  return i;
}
function binary(b, v) {
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v > b[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
const N = 2_000_000;
const values = Float64Array.from({ length: 4096 }, () => Math.random());
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const rows = [];
for (const n of [8, 16, 24, 32, 48, 64, 128, 256]) {
  const b = Float64Array.from({ length: n }, (_, i) => (i + 1) / (n + 1));
  for (let i = 0; i < values.length; i++) if (linear(b, values[i]) !== binary(b, values[i])) throw new Error('mismatch');
  const time = (fn) => {
    let sink = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink += fn(b, values[i & 4095]);
    const ns = Number(process.hrtime.bigint() - t0) / N;
    if (sink < 0) console.log(sink);
    return ns;
  };
  for (let i = 0; i < 3; i++) {
    time(linear);
    time(binary);
  }
  const l = [];
  const s = [];
  for (let i = 0; i < 7; i++) {
    l.push(time(linear));
    s.push(time(binary));
  }
  rows.push({ bounds: n, linearNs: median(l).toFixed(2), binaryNs: median(s).toFixed(2) });
}
console.table(rows);
