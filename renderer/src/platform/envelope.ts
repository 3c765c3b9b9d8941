// Validation of what arrives from the core. The renderer trusts nothing it has not checked:
// a malformed envelope is counted and dropped, never applied.
import type { ServerMessage } from '../../../native/api/wire';

const STREAMS = new Set(['values', 'connections', 'system', 'alarms', 'predictions', 'historyExport', 'tagTable']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseServerMessage(raw: unknown): ServerMessage | null {
  if (!isObject(raw) || typeof raw.type !== 'string') return null;
  switch (raw.type) {
    case 'hello':
      return isObject(raw.info) ? (raw as unknown as ServerMessage) : null;
    case 'res':
      if (typeof raw.id !== 'number') return null;
      if ('error' in raw) return isObject(raw.error) && typeof raw.error.message === 'string' ? (raw as unknown as ServerMessage) : null;
      return raw as unknown as ServerMessage;
    case 'pong':
      return typeof raw.id === 'number' ? (raw as unknown as ServerMessage) : null;
    case 'event':
      if (typeof raw.stream !== 'string' || !STREAMS.has(raw.stream)) return null;
      if (raw.stream === 'values' && !isValueBatch(raw.data)) return null;
      return raw as unknown as ServerMessage;
    default:
      return null;
  }
}

function isValueBatch(v: unknown): boolean {
  if (!isObject(v)) return false;
  const { ids, ts, v: values, q } = v;
  return (
    Array.isArray(ids) &&
    Array.isArray(ts) &&
    Array.isArray(values) &&
    Array.isArray(q) &&
    ids.length === ts.length &&
    ts.length === values.length &&
    values.length === q.length
  );
}
