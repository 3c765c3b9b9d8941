// The health scale (docs/models.md "Health"): one mapping for every anomaly model, from the score
// normalised to the model's threshold (1.0 = the model alarm's threshold) to 0…100.
//   s ≤ normal       → 100  (as learned: the highest score of normal operation, the manifest's
//                            health.normal, e.g. the 99th percentile of the training windows)
//   normal … 1       → 100 … 50 linearly (threshold at 50)
//   1 … 2            → 50 … 0 linearly
//   ≥ 2              → 0
// A model without a calibration (normal = 0) reads 100 · (1 − s / 2), clamped.

/** Health at the model-alarm threshold. */
export const HEALTH_AT_THRESHOLD = 50;

export function healthOf(normalised: number, normal = 0): number {
  if (!Number.isFinite(normalised)) return 0;
  const n = Math.max(0, Math.min(normal, 0.99));
  let h: number;
  if (normalised <= n) h = 100;
  else if (normalised <= 1) h = 100 - ((100 - HEALTH_AT_THRESHOLD) * (normalised - n)) / (1 - n);
  else h = HEALTH_AT_THRESHOLD * Math.max(0, 2 - normalised);
  return Math.round(h);
}
