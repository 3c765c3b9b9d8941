// historian.durability: normal keeps WAL synchronous=NORMAL; full fsyncs every commit (synchronous=FULL).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { siteFileSchema } from '../site/schema.js';
import { durabilitySchema, resolvePolicies } from './config.js';
import { HistorianStore } from './store.js';
import { makeTags, tempDir } from './test-kit.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function synchronousOf(durability: 'normal' | 'full' | undefined): number {
  const dir = tempDir();
  dirs.push(dir);
  const tags = makeTags(1);
  const store = new HistorianStore({
    file: path.join(dir, 'h.db'),
    tagNames: tags.map((t) => t.name),
    policies: resolvePolicies(tags),
    ...(durability ? { durability } : {}),
  });
  try {
    return store.db.pragma('synchronous', { simple: true }) as number;
  } finally {
    store.close();
  }
}

describe('historian durability', () => {
  it('is synchronous=NORMAL by default and for normal, FULL for full', () => {
    expect(synchronousOf(undefined)).toBe(1);
    expect(synchronousOf('normal')).toBe(1);
    expect(synchronousOf('full')).toBe(2);
  });

  it('accepts normal and full in the site file and refuses anything else', () => {
    const historian = siteFileSchema.shape.historian;
    expect(historian.parse({ durability: 'full' }).durability).toBe('full');
    expect(historian.safeParse({ durability: 'fast' }).success).toBe(false);
    expect(durabilitySchema.safeParse('FULL').success).toBe(false);
  });
});
