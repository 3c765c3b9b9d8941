// What was derived from a file (parsed, checked, hashed), kept while the file is unchanged on disk,
// so a request that lists many files reads directories and stats, not bytes. Used by the display
// store, the model registry and the live site configuration, each through `through` (stat, look up,
// derive, keep): one rule for all three.
//
// A file is unchanged while its stamp is: size, modification and change times (ns) and inode (a
// file renamed over it). File times are coarse (a few ms here, 1–2 s on some file systems), so a
// file changed in the last SETTLED_MS may change again under the same stamp: what was read from it
// is not kept until it is older, and it is read on each request meanwhile.
import { type BigIntStats, statSync } from 'node:fs';

export const SETTLED_MS = 2_000;

/** A file's stamp and modification time, or undefined when there is no such file (other errors are thrown). */
export function stampOf(file: string): { stamp: string; mtimeMs: number; size: bigint } | undefined {
  const st: BigIntStats | undefined = statSync(file, { bigint: true, throwIfNoEntry: false });
  if (!st) return undefined;
  return { stamp: `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`, mtimeMs: Number(st.mtimeMs), size: st.size };
}

export type FileStamp = NonNullable<ReturnType<typeof stampOf>>;

/** Values derived from files, each kept while its file's stamp is unchanged and once the file has settled. */
export class ByFileStamp<T> {
  private readonly known = new Map<string, { stamp: string; value: T }>();

  /** The value kept for `file` at this stamp, or undefined (never read, changed since, or not settled then). */
  lookup(file: string, at: FileStamp): T | undefined {
    const had = this.known.get(file);
    return had && had.stamp === at.stamp ? had.value : undefined;
  }

  /** Keep what was derived from `file` as it was at `at`, if it had settled by `now`; otherwise forget it. */
  keep(file: string, at: FileStamp, value: T, now: number = Date.now()): void {
    if (now - at.mtimeMs >= SETTLED_MS) this.known.set(file, { stamp: at.stamp, value });
    else this.known.delete(file);
  }

  /**
   * What `derive` makes of `file` as it is now: the value kept while the file's stamp is unchanged,
   * else derived again and kept (once settled by `now()`, taken before deriving, so a change during
   * the read is never hidden). Undefined when there is no such file. A `derive` that throws keeps
   * nothing (the next call tries again) and so does a stat that fails; both are thrown to the caller.
   */
  through(file: string, derive: (at: FileStamp) => T, now: () => number = Date.now): T | undefined {
    try {
      const at = stampOf(file);
      if (!at) {
        this.known.delete(file);
        return undefined;
      }
      const had = this.lookup(file, at);
      if (had !== undefined) return had;
      const readAt = now();
      const value = derive(at);
      this.keep(file, at, value, readAt);
      return value;
    } catch (err) {
      this.known.delete(file);
      throw err;
    }
  }

  forget(file: string): void {
    this.known.delete(file);
  }

  /** Forget every file for which `keep` says no (deleted since): the cache stays as large as the folder. */
  retain(keep: (file: string) => boolean): void {
    for (const file of this.known.keys()) if (!keep(file)) this.known.delete(file);
  }
}
