// Audible annunciation: a tone sounds while a Critical or High alarm is active and unacknowledged.
// "Silence" quiets the alarms sounding at that moment only; a new one (or one that clears and
// comes back) sounds again. The operator's off switch is remembered on this workstation.
import { createStore, useStore } from 'zustand';
import type { AlarmRow, Priority } from '../../../native/api/alarm-requests';

const AUDIBLE: ReadonlySet<Priority> = new Set(['Critical', 'High']);
const STORAGE_KEY = 'aurum.annunciation';

export type Annunciation = 'off' | 'quiet' | 'sounding' | 'silenced';

/**
 * One key per activation of each alarm that should sound: unacknowledged and with its condition
 * present (a cleared unacknowledged alarm needs attention but not a horn, as ISA-18.2 has it).
 */
export function audibleKeys(rows: readonly AlarmRow[]): string[] {
  return rows.filter((a) => AUDIBLE.has(a.priority) && a.state === 'unack_active').map((a) => `${a.id}@${a.activeSince ?? a.changedAt}`);
}

export function annunciationOf(keys: readonly string[], silenced: ReadonlySet<string>, enabled: boolean): Annunciation {
  if (!enabled) return 'off';
  if (keys.length === 0) return 'quiet';
  return keys.some((k) => !silenced.has(k)) ? 'sounding' : 'silenced';
}

const storedEnabled = (): boolean => {
  try {
    return localStorage.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
};

interface AnnunciationState {
  enabled: boolean;
  silenced: ReadonlySet<string>;
}

export const annunciationStore = createStore<AnnunciationState>(() => ({ enabled: storedEnabled(), silenced: new Set() }));

export function useAnnunciation<T>(selector: (s: AnnunciationState) => T): T {
  return useStore(annunciationStore, selector);
}

export const annunciationActions = {
  /** Quiet the alarms sounding now (their keys); any other activation sounds again. */
  silence(keys: readonly string[]) {
    annunciationStore.setState({ silenced: new Set(keys) });
  },
  setEnabled(enabled: boolean) {
    try {
      localStorage.setItem(STORAGE_KEY, enabled ? 'on' : 'off');
    } catch {
      // Storage may be unavailable (private mode): the switch then lasts for this window only.
    }
    annunciationStore.setState({ enabled });
  },
};
