// The analog alarm limits of each tag (hihi, hi, lo, lolo definitions, wildcards expanded), carried on
// the tag table so that a trend can draw them without a request of its own (issue 16: limit lines).
import { type AlarmDefinition, compileDefinitions } from '../alarms/index.js';
import type { AlarmLimit, TagInfo } from '../api/types.js';

const LIMIT_TYPES = new Set<string>(['hihi', 'hi', 'lo', 'lolo']);

/**
 * The tags with their `alarmLimits`. Definitions that do not compile are the alarm capability's to
 * refuse (it names them at start); the tag table is then returned without limits.
 */
export function withAlarmLimits(tags: readonly TagInfo[], definitions: readonly AlarmDefinition[]): TagInfo[] {
  let compiled: ReturnType<typeof compileDefinitions>;
  try {
    compiled = compileDefinitions(definitions, tags);
  } catch {
    return [...tags];
  }
  const byTag = new Map<number, AlarmLimit[]>();
  for (const a of compiled) {
    if (!LIMIT_TYPES.has(a.type)) continue;
    const list = byTag.get(a.tagId) ?? [];
    list.push({ type: a.type as AlarmLimit['type'], limit: a.limit, priority: a.priority });
    byTag.set(a.tagId, list);
  }
  return tags.map((t) => {
    const limits = byTag.get(t.id);
    return limits ? { ...t, alarmLimits: limits } : t;
  });
}
