// Shared by the alarm and maintenance tests: a small tag table, batches, a temp events.db and a clock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TagInfo } from '../api/types.js';
import type { SampleBatch } from '../tags/bus.js';
import { openSqlite, type SqliteDatabase } from '../util/sqlite.js';

export function makeTags(names: readonly string[], unit = 'bar'): TagInfo[] {
  return names.map((name, id) => {
    const [site = '', area = '', machine = ''] = name.split('/');
    return {
      id,
      name,
      site,
      area,
      machine,
      unit,
      description: '',
      dataType: 'float',
      connection: 'test',
      address: name,
      rangeLo: null,
      rangeHi: null,
      writable: false,
      writeMin: null,
      writeMax: null,
      expectedPeriodMs: 1000,
    };
  });
}

export interface Sample {
  id: number;
  v: number;
  q?: 0 | 1 | 2;
  ts?: number;
}

export function batchOf(samples: readonly Sample[], ts = 0): SampleBatch {
  return {
    length: samples.length,
    ids: Uint32Array.from(samples.map((s) => s.id)),
    ts: Float64Array.from(samples.map((s) => s.ts ?? ts)),
    values: Float64Array.from(samples.map((s) => s.v)),
    quality: Uint8Array.from(samples.map((s) => s.q ?? 0)),
  };
}

export function tempDb(): { file: string; open: () => SqliteDatabase; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-alarms-'));
  const file = path.join(dir, 'events.db');
  const opened: SqliteDatabase[] = [];
  return {
    file,
    open: () => {
      const db = openSqlite(file);
      opened.push(db);
      return db;
    },
    cleanup: () => {
      for (const db of opened) if (db.open) db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export class Clock {
  constructor(public t = Date.parse('2025-03-01T08:00:00Z')) {}
  readonly now = () => this.t;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}
