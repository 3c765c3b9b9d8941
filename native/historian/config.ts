// The historian's section of the site file: retention per tag group, and per-tag storage rules
// (deadband or swinging-door compression, decimals kept, how long a value is held in rollups).
// Rules match tag names with globs: `*` within one path segment, `**` across segments.
import { z } from 'zod';
import type { TagInfo } from '../api/types.js';

const days = z.number().positive().max(36_500);

export const retentionConfigSchema = z
  .object({
    rawDays: days.default(30),
    minuteDays: days.default(365),
    hourDays: days.default(1825),
    /** Tag groups with their own retention; the first group whose pattern matches a tag wins. */
    groups: z
      .array(
        z
          .object({
            match: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
            rawDays: days.optional(),
            minuteDays: days.optional(),
            hourDays: days.optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type RetentionConfig = z.input<typeof retentionConfigSchema>;

/**
 * Which source timestamps the console stores as given (site file: historian.acceptWindow). Samples
 * outside it are refused by ingest, per item with the reason, and recorded by drivers at receipt
 * time as Uncertain ("source clock ahead" / "behind" / "timestamp invalid").
 */
export const acceptWindowSchema = z
  .object({
    /** How far back a sample may be; default: the longest raw retention (older data would be dropped at once). */
    pastDays: days.optional(),
    /** How far ahead of the console's clock a sample may be (clock skew between device and console). */
    futureSeconds: z.number().int().min(0).max(86_400).default(300),
  })
  .strict();

export type AcceptWindowConfig = z.input<typeof acceptWindowSchema>;

/** The accept window in ms, from the site file's historian section. */
export function resolveAcceptWindow(
  windowIn: AcceptWindowConfig = {},
  retentionIn: RetentionConfig = {},
): { pastMs: number; futureMs: number } {
  const w = acceptWindowSchema.parse(windowIn);
  const retention = retentionConfigSchema.parse(retentionIn);
  const rawDays = Math.max(retention.rawDays, ...retention.groups.map((g) => g.rawDays ?? 0));
  return { pastMs: (w.pastDays ?? rawDays) * DAY, futureMs: w.futureSeconds * 1000 };
}

const storageRuleSchema = z
  .object({
    match: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** none: every sample; deadband: only moves larger than `deviation`; swinging-door: the classic SDT. */
    mode: z.enum(['none', 'deadband', 'swinging-door']).default('none'),
    /** Absolute deviation in engineering units. */
    deviation: z.number().min(0).optional(),
    /** Deviation as a percentage of the tag's range (rangeHi − rangeLo), when `deviation` is not given. */
    deviationPercent: z.number().min(0).max(100).optional(),
    /** A sample is stored at least this often even when the value does not move. */
    maxIntervalMs: z.number().int().positive().default(600_000),
    /** Round values to this many decimals before storing (lossy, bounded by half a unit of the last place). */
    decimals: z.number().int().min(0).max(6).optional(),
    /** How long a value is held in rollups (time-weighted averages, integrals) without a new sample. */
    maxHoldMs: z.number().int().positive().max(86_400_000).optional(),
  })
  .strict();

export const deadbandConfigSchema = z.array(storageRuleSchema).default([]);
export type DeadbandConfig = z.input<typeof deadbandConfigSchema>;

export interface TagPolicy {
  mode: 'none' | 'deadband' | 'swinging-door';
  deviation: number;
  maxIntervalMs: number;
  /** -1 = keep full precision. */
  decimals: number;
  maxHoldMs: number;
  rawMs: number;
  minuteMs: number;
  hourMs: number;
}

const DAY = 86_400_000;
const DEFAULT_MAX_HOLD_MS = 900_000;

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function matcher(match: string | string[]): (name: string) => boolean {
  const res = (Array.isArray(match) ? match : [match]).map(globToRegExp);
  return (name) => res.some((r) => r.test(name));
}

/** Each tag's storage and retention policy, by tag id. */
export function resolvePolicies(tags: readonly TagInfo[], retentionIn: RetentionConfig = {}, rulesIn: DeadbandConfig = []): TagPolicy[] {
  const retention = retentionConfigSchema.parse(retentionIn);
  const rules = deadbandConfigSchema.parse(rulesIn).map((r) => ({ ...r, test: matcher(r.match) }));
  const groups = retention.groups.map((g) => ({ ...g, test: matcher(g.match) }));
  return tags.map((tag) => {
    const rule = rules.find((r) => r.test(tag.name));
    const group = groups.find((g) => g.test(tag.name));
    const span = tag.rangeHi !== null && tag.rangeLo !== null ? Math.abs(tag.rangeHi - tag.rangeLo) : 0;
    const deviation = rule?.deviation ?? ((rule?.deviationPercent ?? 0) * span) / 100;
    return {
      mode: rule && deviation > 0 ? rule.mode : 'none',
      deviation,
      maxIntervalMs: rule?.maxIntervalMs ?? 600_000,
      decimals: rule?.decimals ?? -1,
      maxHoldMs: rule?.maxHoldMs ?? DEFAULT_MAX_HOLD_MS,
      rawMs: (group?.rawDays ?? retention.rawDays) * DAY,
      minuteMs: (group?.minuteDays ?? retention.minuteDays) * DAY,
      hourMs: (group?.hourDays ?? retention.hourDays) * DAY,
    };
  });
}

/**
 * How hard each historian commit is pushed to disk (site file: historian.durability). normal: WAL
 * with synchronous=NORMAL, survives kill -9, an OS crash or power cut may lose the last commits;
 * full: synchronous=FULL, each commit fsynced before it is acknowledged. docs/historian.md states both.
 */
export const durabilitySchema = z.enum(['normal', 'full']);
export type Durability = z.infer<typeof durabilitySchema>;
