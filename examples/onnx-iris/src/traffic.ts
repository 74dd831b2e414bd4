/**
 * Steady demo traffic against the prediction API so the metrics move: rows
 * replayed from the training data (single rows and small batches), and a
 * share of invalid requests so the error series have data too.
 *
 * With `drift`, one feature of every row is shifted from a given moment on,
 * as if the world changed under the model: the drift scores of that feature
 * rise, the others stay where they were (`--drift`).
 */
export interface TrafficOptions {
  /** Requests per second. */
  readonly rate: number;
  /** Share of requests that are invalid, 0 to 1. */
  readonly errorRatio: number;
  /** Rows to replay: the training rows, so the traffic follows the reference profile. */
  readonly rows: readonly (readonly number[])[];
  /** Shift one feature from `afterMillis` on. */
  readonly drift?: TrafficDrift;
}

/** A shift of one feature's distribution. */
export interface TrafficDrift {
  /** Column of the feature. */
  readonly feature: number;
  /** Added to the feature, in its unit (cm). */
  readonly shift: number;
  /** When the shift starts, after the traffic starts. */
  readonly afterMillis: number;
  /** Called once when the shift starts, with the time (ms since the epoch). */
  readonly onStart?: (at: number) => void;
}

export function startTraffic(predictUrl: string, options: TrafficOptions): () => void {
  let sent = 0;
  const driftFrom = options.drift === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.drift.afterMillis;
  let drifting = false;
  const timer = setInterval(() => {
    sent++;
    if (!drifting && Date.now() >= driftFrom) {
      drifting = true;
      options.drift?.onStart?.(Date.now());
    }
    void fetch(predictUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(Math.random() < options.errorRatio ? invalidBody(sent) : validBody(options.rows, drifting ? options.drift : undefined)),
    }).then(
      (response) => response.body?.cancel(),
      () => undefined, // The server is going away; the demo traffic simply stops mattering.
    );
  }, 1000 / options.rate);
  timer.unref();
  return () => clearInterval(timer);
}

function validBody(rows: TrafficOptions['rows'], drift: TrafficDrift | undefined): unknown {
  const batch = Math.random() < 0.2 ? 1 + Math.floor(Math.random() * 8) : 1;
  const picked = Array.from({ length: batch }, () => {
    const row = [...rows[Math.floor(Math.random() * rows.length)]!];
    if (drift !== undefined) row[drift.feature] = Number((row[drift.feature]! + drift.shift).toFixed(2));
    return row;
  });
  return batch === 1 ? { features: picked[0] } : { instances: picked };
}

function invalidBody(n: number): unknown {
  return n % 2 === 0 ? { features: [5.1, 3.5] } : { features: ['a', 'b', 'c', 'd'] };
}
