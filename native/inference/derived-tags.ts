// Predictions as tags: every machine with a model gets derived tags (<machine>/AnomalyScore,
// /Health, and /RUL for remaining-useful-life models), so the historian keeps them, alarms can be
// defined on them and trends show them like any other signal.

import type { Prediction } from '../api/prediction-requests.js';
import type { TagInfo } from '../api/types.js';
import type { TagBus } from '../tags/bus.js';
import type { ModelEntry } from './registry.js';
import type { MachineBinding } from './service.js';

const DERIVED = {
  AnomalyScore: { unit: '', decimals: 2, description: 'Anomaly score of the machine model, 1.0 = its alarm threshold' },
  Health: { unit: '%', decimals: 1, description: 'Machine health index, 0 (failed) … 100 (as normal)' },
  RUL: { unit: 'cycles', decimals: 0, description: 'Remaining useful life estimated by the machine model' },
} as const;

export type DerivedKind = keyof typeof DERIVED;

/** The derived tags for these bindings, numbered from `firstId`. */
export function derivedTags(
  bindings: readonly MachineBinding[],
  models: readonly ModelEntry[],
  firstId: number,
  periodMs: number,
): TagInfo[] {
  const tags: TagInfo[] = [];
  for (const b of bindings) {
    const candidates = models.filter((m) => m.name === b.model && (b.version === undefined || m.version === b.version));
    const manifest = candidates[candidates.length - 1]?.manifest;
    const kind = manifest?.kind ?? 'anomaly';
    const kinds: DerivedKind[] = kind === 'rul' ? ['Health', 'RUL'] : ['AnomalyScore', 'Health'];
    // An anomaly model with a RUL head (the demo's wearing pump) publishes both.
    if (kind === 'anomaly' && manifest?.graph.rul) kinds.push('RUL');
    const [site = '', area = '', machine = ''] = b.machine.split('/');
    for (const k of kinds) {
      tags.push({
        id: firstId + tags.length,
        name: `${b.machine}/${k}`,
        site,
        area,
        machine,
        unit: k === 'RUL' ? (manifest?.rulUnit ?? DERIVED.RUL.unit) : DERIVED[k].unit,
        description: DERIVED[k].description,
        dataType: 'float',
        connection: 'models',
        address: `${b.model}:${k}`,
        rangeLo: k === 'Health' ? 60 : null,
        rangeHi: k === 'Health' ? 100 : null,
        decimals: DERIVED[k].decimals,
        writable: false,
        writeMin: null,
        writeMax: null,
        expectedPeriodMs: periodMs,
      });
    }
  }
  return tags;
}

/** Publish a prediction into its machine's derived tags. */
export function publishPrediction(bus: TagBus, p: Prediction): void {
  const put = (k: DerivedKind, v: number | null | undefined) => {
    const id = bus.idOf(`${p.machine}/${k}`);
    if (id !== undefined && v !== null && v !== undefined) bus.update(id, v, 0, p.timestamp);
  };
  put('AnomalyScore', p.anomalyScore);
  put('Health', p.health);
  put('RUL', p.rul);
}
