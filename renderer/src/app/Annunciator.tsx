// The top bar's alarm horn: a short repeating tone while a Critical or High alarm is active and
// unacknowledged, a Silence button, and an off switch. Browsers allow sound only after a user
// gesture, so the audio context is created on the first click or key press, never before. The
// state is on `data-annunciation` so tests (and kiosk tooling) can see it without hearing it.
import { useEffect, useMemo } from 'react';
import { useAlarms } from '../platform/alarms';
import { annunciationActions, annunciationOf, audibleKeys, useAnnunciation } from './annunciation';

const BEEP_EVERY_MS = 1200;
let audio: AudioContext | null = null;

function beep(ctx: AudioContext): void {
  if (ctx.state === 'suspended') ctx.resume().catch(() => undefined);
  const t = ctx.currentTime;
  // Two short pulses at different pitches: distinct from a notification chime.
  for (const [offset, hz] of [
    [0, 880],
    [0.18, 660],
  ] as const) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = hz;
    gain.gain.value = 0.06;
    osc.connect(gain).connect(ctx.destination);
    osc.start(t + offset);
    osc.stop(t + offset + 0.14);
  }
}

/** Create the audio context on the first user gesture (the only time a browser lets it play). */
function useAudioAfterGesture(): void {
  useEffect(() => {
    if (audio || typeof AudioContext === 'undefined') return;
    const create = () => {
      if (!audio) audio = new AudioContext();
      window.removeEventListener('pointerdown', create, true);
      window.removeEventListener('keydown', create, true);
    };
    window.addEventListener('pointerdown', create, true);
    window.addEventListener('keydown', create, true);
    return () => {
      window.removeEventListener('pointerdown', create, true);
      window.removeEventListener('keydown', create, true);
    };
  }, []);
}

function useTone(on: boolean): void {
  useEffect(() => {
    if (!on) return;
    const tick = () => {
      if (audio) beep(audio);
    };
    tick();
    const timer = setInterval(tick, BEEP_EVERY_MS);
    return () => clearInterval(timer);
  }, [on]);
}

export function Annunciator() {
  const rows = useAlarms((s) => s.rows);
  const enabled = useAnnunciation((s) => s.enabled);
  const silenced = useAnnunciation((s) => s.silenced);
  const keys = useMemo(() => audibleKeys(rows), [rows]);
  const state = annunciationOf(keys, silenced, enabled);
  useAudioAfterGesture();
  useTone(state === 'sounding');
  return (
    <span className="annunciator" data-annunciation={state}>
      <button
        type="button"
        className="silence"
        disabled={state !== 'sounding'}
        onClick={() => annunciationActions.silence(keys)}
        title="Silence the alarm sound until a new alarm arrives"
      >
        <span aria-hidden="true">♪</span> Silence
      </button>
      <button
        type="button"
        className="sound-switch"
        onClick={() => annunciationActions.setEnabled(!enabled)}
        title={enabled ? 'Switch the alarm sound off at this workstation' : 'Switch the alarm sound on at this workstation'}
      >
        Alarm sound {enabled ? 'on' : 'off'}
      </button>
    </span>
  );
}
