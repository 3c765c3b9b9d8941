// The console's one number format: every value shown with its tag's decimals (TagInfo.decimals,
// which the core computes from the site file: native/tags/decimals.ts), a missing or non-numeric
// value as an em dash — never NaN, never 17 significant digits.
import type { TagInfo } from '../../../native/api/types';

export const QUALITY_LABEL = ['Good', 'Uncertain', 'Bad'] as const;

/** What a screen shows where there is no value. */
export const NO_VALUE = '—';

const numberFormats = new Map<number, Intl.NumberFormat>();

function fixedFormat(decimals: number): Intl.NumberFormat {
  let f = numberFormats.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    numberFormats.set(decimals, f);
  }
  return f;
}

/** A number with exactly `decimals` decimals and thousands separators (1,234.5); an em dash when it is no finite number. */
export function formatNumber(v: number | null | undefined, decimals: number): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return NO_VALUE;
  const d = Math.min(12, Math.max(0, Math.trunc(decimals)));
  const text = fixedFormat(d).format(v);
  // -0.04 at one decimal reads "-0.0": a sign on nothing.
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** The decimals a tag's values are shown with: the core's, else 0 for an integer and 2 for anything else. */
export function tagDecimals(tag: TagInfo | undefined): number {
  return tag?.decimals ?? (tag?.dataType === 'int' ? 0 : 2);
}

/** A tag's value as every screen shows it: its named state, ON / OFF, or the number at the tag's decimals. */
export function formatValue(v: number | boolean | string | null | undefined, tag: TagInfo | undefined): string {
  if (v === null || v === undefined) return NO_VALUE;
  if (typeof v === 'string') return v === '' ? NO_VALUE : v;
  const n = typeof v === 'boolean' ? Number(v) : v;
  if (!Number.isFinite(n)) return NO_VALUE;
  if (tag?.states) {
    // Named states (Start / Stop, Off / Auto / Manual) stand for the raw 0/1/2.
    const s = tag.states.find((x) => Number(x.value) === n);
    if (s) return s.label;
  }
  if (tag?.dataType === 'bool') return n ? 'ON' : 'OFF';
  return formatNumber(n, tagDecimals(tag));
}

/** The value with the tag's unit (`4.21 bar`), or the em dash alone. */
export function formatWithUnit(v: number | boolean | string | null | undefined, tag: TagInfo | undefined): string {
  const text = formatValue(v, tag);
  return text !== NO_VALUE && tag?.unit && tag.dataType !== 'bool' && !tag.states ? `${text} ${tag.unit}` : text;
}

/** Where a value sits against the tag's normal range: the analog indicator and the HI/LO flag. */
export function limitState(v: number, tag: TagInfo): 'none' | 'normal' | 'high' | 'low' {
  if (Number.isNaN(v) || tag.dataType === 'bool') return 'none';
  if (tag.rangeHi !== null && v > tag.rangeHi) return 'high';
  if (tag.rangeLo !== null && v < tag.rangeLo) return 'low';
  return 'normal';
}
