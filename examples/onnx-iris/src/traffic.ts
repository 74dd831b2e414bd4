/**
 * Steady demo traffic against the prediction API so the metrics move:
 * mostly valid iris measurements (single rows and small batches), and a
 * share of invalid requests so the error series have data too.
 */
export interface TrafficOptions {
  /** Requests per second. */
  readonly rate: number;
  /** Share of requests that are invalid, 0 to 1. */
  readonly errorRatio: number;
}

/** Typical measurements of each class (cm), jittered per request. */
const CENTRES = [
  [5.0, 3.4, 1.5, 0.25],
  [5.9, 2.8, 4.3, 1.3],
  [6.6, 3.0, 5.6, 2.0],
] as const;

export function startTraffic(predictUrl: string, options: TrafficOptions): () => void {
  let sent = 0;
  const timer = setInterval(() => {
    sent++;
    void fetch(predictUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(Math.random() < options.errorRatio ? invalidBody(sent) : validBody()),
    }).then(
      (response) => response.body?.cancel(),
      () => undefined, // The server is going away; the demo traffic simply stops mattering.
    );
  }, 1000 / options.rate);
  timer.unref();
  return () => clearInterval(timer);
}

function validBody(): unknown {
  const batch = Math.random() < 0.2 ? 1 + Math.floor(Math.random() * 8) : 1;
  const rows = Array.from({ length: batch }, () => {
    const centre = CENTRES[Math.floor(Math.random() * CENTRES.length)]!;
    return centre.map((v) => Number((v + (Math.random() - 0.5) * 0.6).toFixed(2)));
  });
  return batch === 1 ? { features: rows[0] } : { instances: rows };
}

function invalidBody(n: number): unknown {
  return n % 2 === 0 ? { features: [5.1, 3.5] } : { features: ['a', 'b', 'c', 'd'] };
}
