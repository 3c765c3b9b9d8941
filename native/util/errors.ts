// One way to turn whatever was thrown into a sentence a person can read: never "[object Object]",
// never a library's stack. Used by every log line and every message that reaches a user.

/** The message of a thrown value, as one line of plain text (no stack, no JSON dump). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const message = err.message.trim() || err.name;
    // SQLite says only "disk I/O error" when it cannot grow a WAL file's -shm index: in practice
    // the disk is full, which is what the person reading this needs to know.
    if ((err as { code?: unknown }).code === 'SQLITE_IOERR_SHMSIZE') return `${firstLine(message)} (no room for the -shm index: disk full)`;
    return firstLine(message);
  }
  if (typeof err === 'string') return firstLine(err) || 'unknown error';
  if (typeof err === 'number' || typeof err === 'boolean' || typeof err === 'bigint') return String(err);
  if (err && typeof err === 'object') {
    const o = err as Record<string, unknown>;
    // Libraries throw plain objects: modbus-serial { name, message, errno }, node-opcua status objects.
    for (const key of ['message', 'description', 'reason', 'err', 'errno', 'code', 'name'] as const) {
      const v = o[key];
      if (typeof v === 'string' && v.trim()) return firstLine(v);
      if (typeof v === 'number') return `${key} ${v}`;
    }
    const ctor = (err as { constructor?: { name?: string } }).constructor?.name;
    return ctor && ctor !== 'Object' ? ctor : 'unknown error';
  }
  return 'unknown error';
}

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0]?.trim() ?? '';
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
