// Adapters from the console's own event shapes to the uplink, so the core wires each source with
// one line. Each applies the site file's selection; none of them blocks or throws on the caller.
// Alarms are not among them: every journaled transition goes up through alarm-feed.ts.
import type { OperationalEvent } from '../api/alarm-requests.js';
import type { Prediction } from '../api/prediction-requests.js';
import type { TagInfo } from '../api/types.js';
import type { SampleBatch } from '../tags/bus.js';
import type { SyncConfig } from './config.js';
import { predictionSelected, rawSelected } from './select.js';
import type { SyncService } from './service.js';

export interface SyncFeeds {
  /** An operational event as recorded (shift note, maintenance, failure…). */
  event(e: OperationalEvent): void;
  /** A prediction; only anomalous or unhealthy ones are queued. */
  prediction(p: Prediction): void;
  /** An ESG record (a day's or period's figures, a factor change), as the ESG capability shapes it. */
  esg(record: unknown): void;
  /** bus.onBatch: raw samples of the tags listed in `select.rawTags` only. */
  samples(batch: SampleBatch): void;
}

export function syncFeeds(sync: SyncService, config: SyncConfig, tags: readonly TagInfo[]): SyncFeeds {
  // Tag id = index in the site's tag list; looked up once, not per sample.
  const raw = new Map(tags.filter((t) => rawSelected(config, t.name)).map((t) => [t.id, t.name]));
  return {
    event: (e) => {
      sync.enqueue('events', e);
    },
    prediction: (p) => {
      if (predictionSelected(config, p)) sync.enqueue('predictions', p);
    },
    esg: (record) => {
      sync.enqueue('esg', record);
    },
    samples: (b) => {
      if (raw.size === 0) return;
      for (let i = 0; i < b.length; i++) {
        const name = raw.get(b.ids[i] as number);
        if (name === undefined) continue;
        const v = b.values[i] as number;
        sync.enqueue('raw', { tag: name, t: b.ts[i], v: Number.isNaN(v) ? null : v, q: b.quality[i] });
      }
    },
  };
}
