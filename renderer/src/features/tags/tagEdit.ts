// The tag editor's form → a `config.updateTag` change set. Only what the operator changed is sent,
// and only input that is not a number is refused here: every rule about values (low < high, limits
// inside the range…) is the core's, so its message is the one shown.
import type { TagInfo } from '../../../../native/api/types';

export interface TagDraft {
  description: string;
  unit: string;
  rangeLo: string;
  rangeHi: string;
  writable: boolean;
  writeMin: string;
  writeMax: string;
}

export interface TagChanges {
  description?: string;
  unit?: string;
  range?: [number, number] | null;
  writable?: boolean;
  writeLimits?: [number, number] | null;
}

const text = (v: number | null) => (v === null ? '' : String(v));

export function draftOf(tag: TagInfo): TagDraft {
  return {
    description: tag.description,
    unit: tag.unit,
    rangeLo: text(tag.rangeLo),
    rangeHi: text(tag.rangeHi),
    writable: tag.writable,
    writeMin: text(tag.writeMin),
    writeMax: text(tag.writeMax),
  };
}

function pair(lo: string, hi: string, what: string): [number, number] | null {
  if (lo.trim() === '' && hi.trim() === '') return null;
  const a = Number(lo);
  const b = Number(hi);
  if (lo.trim() === '' || hi.trim() === '' || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new Error(`${what}: give both ends as numbers, or leave both empty`);
  }
  return [a, b];
}

const samePair = (p: [number, number] | null, lo: number | null, hi: number | null) =>
  p === null ? lo === null && hi === null : p[0] === lo && p[1] === hi;

/** The changes to send, or an error message for input that is not a number. */
export function changesOf(tag: TagInfo, d: TagDraft): { changes: TagChanges } | { error: string } {
  try {
    const changes: TagChanges = {};
    if (d.description !== tag.description) changes.description = d.description;
    if (d.unit !== tag.unit) changes.unit = d.unit;
    const range = pair(d.rangeLo, d.rangeHi, 'Normal range');
    if (!samePair(range, tag.rangeLo, tag.rangeHi)) changes.range = range;
    if (d.writable !== tag.writable) changes.writable = d.writable;
    const limits = pair(d.writeMin, d.writeMax, 'Write limits');
    if (!samePair(limits, tag.writeMin, tag.writeMax)) changes.writeLimits = limits;
    return Object.keys(changes).length === 0 ? { error: 'Nothing changed' } : { changes };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
