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
  /** Report the true species of a share of the predictions, later (POST /feedback). */
  readonly feedback?: TrafficFeedback;
}

/**
 * Ground truth for a share of the predictions, after a delay, as a labelling
 * process would send it. With `flip`, from `afterMillis` on the true label of
 * one class is another (the world changed, the inputs did not: concept drift).
 */
export interface TrafficFeedback {
  /** True species of each of `rows`, same order. */
  readonly species: readonly string[];
  /** Share of predictions that get an outcome, 0 to 1. */
  readonly share: number;
  /** Delay before the outcome is reported. */
  readonly delayMillis: number;
  /** Labels of class `from` are reported as `to`, from `afterMillis` on. */
  readonly flip?: { readonly from: string; readonly to: string; readonly afterMillis: number; readonly onStart?: (at: number) => void };
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
  const feedbackUrl = new URL('/feedback', predictUrl).href;
  const feedback = options.feedback;
  const flipFrom = feedback?.flip === undefined ? Number.POSITIVE_INFINITY : Date.now() + feedback.flip.afterMillis;
  let flipping = false;
  const timers = new Set<NodeJS.Timeout>();
  const driftFrom = options.drift === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.drift.afterMillis;
  let drifting = false;
  const timer = setInterval(() => {
    sent++;
    if (!drifting && Date.now() >= driftFrom) {
      drifting = true;
      options.drift?.onStart?.(Date.now());
    }
    if (feedback?.flip !== undefined && !flipping && Date.now() >= flipFrom) {
      flipping = true;
      feedback.flip.onStart?.(Date.now());
    }
    const valid = Math.random() >= options.errorRatio;
    const request = valid ? validBody(options.rows, drifting ? options.drift : undefined) : { body: invalidBody(sent), picked: [] };
    void fetch(predictUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request.body),
    }).then(
      async (response) => {
        if (feedback === undefined || !valid || response.status !== 200) {
          await response.body?.cancel();
          return;
        }
        const { ids } = (await response.json()) as { ids?: string[] };
        const outcomes = (ids ?? [])
          .map((id, i) => {
            const truth = feedback.species[request.picked[i]!]!;
            return { id, label: flipping && truth === feedback.flip?.from ? feedback.flip.to : truth };
          })
          .filter(() => Math.random() < feedback.share);
        if (outcomes.length === 0) return;
        const later = setTimeout(() => {
          timers.delete(later);
          void fetch(feedbackUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ outcomes }) }).then(
            (r) => r.body?.cancel(),
            () => undefined,
          );
        }, feedback.delayMillis);
        later.unref();
        timers.add(later);
      },
      () => undefined, // The server is going away; the demo traffic simply stops mattering.
    );
  }, 1000 / options.rate);
  timer.unref();
  return () => {
    clearInterval(timer);
    for (const t of timers) clearTimeout(t);
  };
}

function validBody(rows: TrafficOptions['rows'], drift: TrafficDrift | undefined): { body: unknown; picked: number[] } {
  const batch = Math.random() < 0.2 ? 1 + Math.floor(Math.random() * 8) : 1;
  const picked = Array.from({ length: batch }, () => Math.floor(Math.random() * rows.length));
  const values = picked.map((at) => {
    const row = [...rows[at]!];
    if (drift !== undefined) row[drift.feature] = Number((row[drift.feature]! + drift.shift).toFixed(2));
    return row;
  });
  return { body: batch === 1 ? { features: values[0] } : { instances: values }, picked };
}

function invalidBody(n: number): unknown {
  return n % 2 === 0 ? { features: [5.1, 3.5] } : { features: ['a', 'b', 'c', 'd'] };
}
