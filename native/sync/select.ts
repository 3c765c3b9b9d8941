// What the site file lets leave the site, decided before anything is queued.
import type { Prediction } from '../api/prediction-requests.js';
import type { SyncConfig, SyncStream } from './config.js';

/** Stream-level switch; aggregates, predictions and raw samples have finer rules below. */
export function streamSelected(cfg: SyncConfig, stream: SyncStream): boolean {
  const s = cfg.select;
  switch (stream) {
    case 'alarms':
      return s.alarms;
    case 'events':
      return s.events;
    case 'esg':
      return s.esg;
    case 'aggregates':
      return s.aggregates.hourly || s.aggregates.daily;
    case 'predictions':
      return s.predictions.enabled;
    case 'raw':
      return s.rawTags.length > 0;
  }
}

export function aggregateSelected(cfg: SyncConfig, period: 'hour' | 'day', group: string): boolean {
  const a = cfg.select.aggregates;
  if (!(period === 'hour' ? a.hourly : a.daily)) return false;
  return a.groups.length === 0 || a.groups.includes(group);
}

export function rawSelected(cfg: SyncConfig, tag: string): boolean {
  return cfg.select.rawTags.includes(tag);
}

/** Predictions worth telling the fleet about: anomalous (score near the threshold) or unhealthy. */
export function predictionSelected(cfg: SyncConfig, p: Prediction): boolean {
  const s = cfg.select.predictions;
  if (!s.enabled) return false;
  if (p.health <= s.maxHealth) return true;
  return p.anomalyScore !== null && p.threshold !== null && p.threshold > 0 && p.anomalyScore >= p.threshold * s.minScoreRatio;
}
