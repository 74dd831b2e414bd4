import { outcomeTracker } from '@inferometer/drift';
import type { Prediction } from './model.js';

/**
 * Ground truth for the iris model: each prediction's label and confidence
 * are kept under a generated id (read back with `outcomes.idsOf(result)`
 * and returned to the caller with the predictions), and `POST /feedback`
 * reports the true species later (`outcomes.report(id, species)`). Predictions
 * wait at most an hour for their outcome; at most 100,000 are kept.
 */
export const outcomes = outcomeTracker({
  task: 'classification',
  prediction: (predictions: Prediction[]) => predictions.map((p) => p.label),
  confidence: (predictions: Prediction[]) => predictions.map((p) => p.probabilities),
  maxAgeSeconds: 3600,
});
