// A tag's values in its own terms, for writes: the text of a value (state name, or number with
// unit) and why a typed number cannot be sent. Pure, so it is tested without a browser.
import type { TagInfo } from '../../../native/api/types';
import { formatValue } from '../lib/format';

/** A value (as the core sends it, or as live data holds it: booleans as 0/1) in the tag's terms. */
export function valueInTerms(tag: TagInfo, v: number | boolean | string | null | undefined): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '—';
  if (typeof v === 'string') return v;
  const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  const text = formatValue(n, tag);
  return tag.unit && !tag.states ? `${text} ${tag.unit}` : text;
}

/** Why a typed number cannot be written, or null when it can. */
export function numberProblem(tag: TagInfo, draft: string): string | null {
  const text = draft.trim();
  if (text === '') return 'Enter a value';
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return `"${text}" is not a number`;
  const n = Number(text);
  if (!Number.isFinite(n)) return `"${text}" is not a finite number`;
  if (tag.dataType === 'int' && !Number.isInteger(n)) return `${text} is not an integer: ${tag.name.split('/').pop()} takes whole numbers`;
  if ((tag.writeMin !== null && n < tag.writeMin) || (tag.writeMax !== null && n > tag.writeMax))
    return `${text} is outside ${tag.writeMin ?? '−∞'}–${tag.writeMax ?? '∞'}${tag.unit ? ` ${tag.unit}` : ''}`;
  return null;
}
