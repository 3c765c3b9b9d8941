// Picks a tag's value and source timestamp out of a JSON payload by field path, and coerces the
// value to the tag's data type. LoRaWAN network servers nest measurements (ChirpStack:
// object.temperature, time; The Things Stack: uplink_message.decoded_payload.temperature,
// received_at), so paths go as deep as needed.
import type { TagDataType, TagValue } from '../../api/types.js';

export type FieldPath = readonly (string | number)[];

/** "a.b[0].c" → ['a', 'b', 0, 'c']; "$" → [] (the payload itself). The syntax is checked by the config schema. */
export function compilePath(path: string): FieldPath {
  if (path === '$') return [];
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return out;
}

export function pick(payload: unknown, path: FieldPath): unknown {
  let at: unknown = payload;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at;
}

/** The default when a tag names no value path: a bare scalar payload, else its "value" field. */
export function defaultValue(payload: unknown): unknown {
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) return (payload as Record<string, unknown>).value;
  return payload;
}

const TRUE_WORDS = new Set(['true', 'on', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'off', 'no', '0']);

/** The value as the tag's type, or undefined when it is not one (numbers from text are read, never rounded). */
export function coerce(raw: unknown, type: TagDataType): TagValue | undefined {
  switch (type) {
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      // 0 and 1 only: a 5 or a 0.5 on a boolean tag is a mapping mistake, not "true".
      if (raw === 0 || raw === 1) return raw === 1;
      if (typeof raw === 'string') {
        const w = raw.trim().toLowerCase();
        if (TRUE_WORDS.has(w)) return true;
        if (FALSE_WORDS.has(w)) return false;
      }
      return undefined;
    case 'string':
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      return undefined;
    default: {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'boolean') n = raw ? 1 : 0;
      else if (typeof raw === 'string' && raw.trim() !== '') n = Number(raw);
      else return undefined;
      if (!Number.isFinite(n)) return undefined;
      // Never rounded: 2.6 for an integer tag is refused (counted as a type error), not shown as 3.
      if (type === 'int' && !Number.isInteger(n)) return undefined;
      return n;
    }
  }
}

/** ISO 8601 text or epoch seconds / milliseconds → ms since epoch; undefined when not a time. */
export function toEpochMs(raw: unknown): number | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) return raw < 1e11 ? raw * 1000 : raw;
  if (typeof raw === 'string') {
    const t = Date.parse(raw);
    if (Number.isFinite(t)) return t;
    const n = Number(raw);
    if (raw.trim() !== '' && Number.isFinite(n) && n > 0) return n < 1e11 ? n * 1000 : n;
  }
  return undefined;
}
