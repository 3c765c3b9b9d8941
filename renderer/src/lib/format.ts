import type { TagInfo } from '../../../native/api/types';

export const QUALITY_LABEL = ['Good', 'Uncertain', 'Bad'] as const;

/** Fixed decimals by magnitude, so digits do not jump while a value moves. */
export function formatValue(v: number, tag: TagInfo | undefined): string {
  if (Number.isNaN(v)) return '—';
  if (tag?.states) {
    // Named states (Start / Stop, Off / Auto / Manual) stand for the raw 0/1/2.
    const s = tag.states.find((x) => Number(x.value) === v);
    if (s) return s.label;
  }
  if (tag?.dataType === 'bool') return v ? 'ON' : 'OFF';
  if (tag?.dataType === 'int') return Math.round(v).toLocaleString('en-US');
  const a = Math.abs(v);
  const decimals = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 2;
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Where a value sits against the tag's normal range: the analog indicator and the HI/LO flag. */
export function limitState(v: number, tag: TagInfo): 'none' | 'normal' | 'high' | 'low' {
  if (Number.isNaN(v) || tag.dataType === 'bool') return 'none';
  if (tag.rangeHi !== null && v > tag.rangeHi) return 'high';
  if (tag.rangeLo !== null && v < tag.rangeLo) return 'low';
  return 'normal';
}
