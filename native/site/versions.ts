// The numbered versions of the site file, kept with the data (config.db in the data dir). Version 1
// is the file as loaded at the first start of a data dir; each apply and rollback adds one. A file
// changed outside config.apply (a hand edit between starts, a tag edit or import from the console)
// is recorded as a version of its own the next time the versions are read, so the list always ends
// with the text in force.
import path from 'node:path';
import { migrate } from '../util/migrate.js';
import { openSqlite, type SqliteDatabase } from '../util/sqlite.js';
import type { Renames } from './diff.js';
import { configMigrations } from './migrations/index.js';

export const CONFIG_DB = 'config.db';

export type VersionKind = 'initial' | 'apply' | 'rollback' | 'outside';

export interface ConfigVersion {
  version: number;
  /** Who applied it (the call context's user); null for the file as loaded or edited outside the console. */
  author: string | null;
  /** ms since epoch. */
  at: number;
  comment: string;
  kind: VersionKind;
  /** Tags renamed by this version (old path -> new path). */
  renames: Renames;
}

export interface ConfigVersionWithText extends ConfigVersion {
  text: string;
}

interface Row {
  version: number;
  author: string | null;
  at: number;
  comment: string;
  kind: VersionKind;
  text: string;
  renames: string;
}

const meta = (r: Row): ConfigVersion => ({
  version: r.version,
  author: r.author,
  at: r.at,
  comment: r.comment,
  kind: r.kind,
  renames: JSON.parse(r.renames) as Renames,
});

export class VersionStore {
  private readonly db: SqliteDatabase;

  constructor(
    dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.db = openSqlite(path.join(dataDir, CONFIG_DB));
    migrate(this.db, configMigrations, 'config_migrations');
  }

  /** The version in force, after recording `fileText` as a new one when it differs (version 1 on first start). */
  current(fileText: string): ConfigVersionWithText {
    const last = this.latest();
    if (last && last.text === fileText) return last;
    return this.add({
      author: null,
      comment: last ? 'changed outside config.apply' : 'the site file as first loaded',
      kind: last ? 'outside' : 'initial',
      text: fileText,
    });
  }

  latest(): ConfigVersionWithText | null {
    const r = this.db.prepare('SELECT * FROM config_version ORDER BY version DESC LIMIT 1').get() as Row | undefined;
    return r ? { ...meta(r), text: r.text } : null;
  }

  get(version: number): ConfigVersionWithText | null {
    const r = this.db.prepare('SELECT * FROM config_version WHERE version = ?').get(version) as Row | undefined;
    return r ? { ...meta(r), text: r.text } : null;
  }

  /**
   * A new version. `displays` is every display file's text by id at this version; without it the
   * previous version's displays are carried on (a site-file apply does not touch the displays).
   */
  add(v: {
    author: string | null;
    comment: string;
    kind: VersionKind;
    text: string;
    renames?: Renames;
    displays?: Readonly<Record<string, string>>;
  }): ConfigVersionWithText {
    const at = this.now();
    const renames = JSON.stringify(v.renames ?? {});
    const displays = v.displays ? JSON.stringify(v.displays) : null;
    const r = this.db
      .prepare(
        `INSERT INTO config_version (author, at, comment, kind, text, renames, displays)
         VALUES (?, ?, ?, ?, ?, ?, COALESCE(?, (SELECT displays FROM config_version ORDER BY version DESC LIMIT 1))) RETURNING version`,
      )
      .get(v.author, at, v.comment, v.kind, v.text, renames, displays) as { version: number };
    return { version: r.version, author: v.author, at, comment: v.comment, kind: v.kind, renames: v.renames ?? {}, text: v.text };
  }

  /** The displays recorded with a version (display id -> file text); null when none were recorded. */
  displaysOf(version: number): Record<string, string> | null {
    const r = this.db.prepare('SELECT displays FROM config_version WHERE version = ?').get(version) as
      | { displays: string | null }
      | undefined;
    return r?.displays ? (JSON.parse(r.displays) as Record<string, string>) : null;
  }

  /** Record the displays of one version (a rollback puts its target's displays back after the site file's apply). */
  setDisplays(version: number, displays: Readonly<Record<string, string>>): void {
    this.db.prepare('UPDATE config_version SET displays = ? WHERE version = ?').run(JSON.stringify(displays), version);
  }

  /**
   * Record `displays` on every version that has none: the displays as they were before the first
   * save from the console (they were files only until then), so rolling back to those versions puts them back.
   */
  fillDisplays(displays: Readonly<Record<string, string>>): void {
    this.db.prepare('UPDATE config_version SET displays = ? WHERE displays IS NULL').run(JSON.stringify(displays));
  }

  /** Newest first: at most `limit` versions below `before` (all when omitted). */
  list(limit: number, before?: number): { versions: ConfigVersion[]; total: number } {
    const rows = this.db
      .prepare('SELECT * FROM config_version WHERE version < ? ORDER BY version DESC LIMIT ?')
      .all(before ?? Number.MAX_SAFE_INTEGER, limit) as Row[];
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM config_version').get() as { n: number }).n;
    return { versions: rows.map(meta), total };
  }

  close(): void {
    this.db.close();
  }
}
