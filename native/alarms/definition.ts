// Alarm definitions as written in the site file's `alarms:` list, and their compilation against
// the tag table. A definition names a tag by its full path; a `*` matches within one path segment,
// so one definition covers every instance of a machine template (`Demo/PumpStation/Pump*/BearingTemp`).
// Tags named in `suppressWhen` and `setpointTag` without a "/" are resolved within the alarmed tag's
// machine (`Running` → `Demo/PumpStation/Pump101/Running`).
import { z } from 'zod';
import type { TagInfo } from '../api/types.js';
import { describeZodIssue, fieldPath } from '../util/describe.js';

export const alarmTypes = ['hihi', 'hi', 'lo', 'lolo', 'roc', 'deviation', 'discrete', 'bad_quality', 'model'] as const;
export type AlarmType = (typeof alarmTypes)[number];
export const priorities = ['Critical', 'High', 'Medium', 'Low'] as const;
export type AlarmPriority = (typeof priorities)[number];

const numberOrBool = z.union([z.number().finite(), z.boolean()]).transform((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
const idPattern = /^[A-Za-z0-9_.:-]+$/;

export const alarmDefinitionSchema = z
  .object({
    /** Stable id (journal, URLs); default: the tag path with "/" → "." plus "." and the type. */
    id: z.string().regex(idPattern, 'letters, digits, "_", ".", ":" and "-" only').max(200).optional(),
    tag: z.string().min(1),
    type: z.enum(alarmTypes),
    /**
     * hihi/hi/lo/lolo/model: the limit; roc: the largest allowed change per second; deviation: the
     * largest allowed |value − setpoint|; discrete: the alarm value (true/false or a state number).
     */
    limit: numberOrBool.optional(),
    /** Model alarms: `above` (anomaly score) or `below` (remaining useful life). */
    direction: z.enum(['above', 'below']).default('above'),
    priority: z.enum(priorities),
    /** The value must move this far back past the limit before the alarm clears (hysteresis). */
    deadband: z.number().min(0).default(0),
    /** The condition must hold this long before the alarm activates (filters spikes). */
    onDelayS: z.number().min(0).max(86_400).default(0),
    /** The condition must be gone this long before the alarm clears (filters chattering). */
    offDelayS: z.number().min(0).max(86_400).default(0),
    /** Shown to the operator; {value}, {unit}, {limit} and {tag} are filled in at activation. */
    message: z.string().min(1).max(500).optional(),
    /** A latched alarm stays active after its condition clears until an operator acknowledges it. */
    latch: z.boolean().default(false),
    /** State-based suppression by design: while `tag` equals `equals` the alarm is suppressed. */
    suppressWhen: z
      .object({ tag: z.string().min(1), equals: numberOrBool })
      .strict()
      .optional(),
    setpointTag: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const needsLimit = d.type !== 'bad_quality' && d.type !== 'discrete';
    if (needsLimit && d.limit === undefined) ctx.addIssue({ code: 'custom', path: ['limit'], message: `a ${d.type} alarm needs a limit` });
    if (d.type === 'deviation' && !d.setpointTag)
      ctx.addIssue({ code: 'custom', path: ['setpointTag'], message: 'a deviation alarm needs setpointTag' });
    if ((d.type === 'roc' || d.type === 'deviation') && d.limit !== undefined && d.limit <= 0)
      ctx.addIssue({ code: 'custom', path: ['limit'], message: `a ${d.type} limit must be positive` });
  });

export type AlarmDefinitionInput = z.input<typeof alarmDefinitionSchema>;
export type AlarmDefinition = z.output<typeof alarmDefinitionSchema>;

/** Comparison an analog alarm makes: active above or below its limit. */
export type Sense = 'above' | 'below';

/** One alarm bound to concrete tags: what the evaluator and the journal work with. */
export interface CompiledAlarm {
  id: string;
  tagId: number;
  tag: string;
  area: string;
  machine: string;
  unit: string;
  /** The tag's display decimals (TagInfo.decimals): the message shows value and limit as every screen does. */
  decimals: number | undefined;
  type: AlarmType;
  sense: Sense;
  limit: number;
  priority: AlarmPriority;
  deadband: number;
  onDelayMs: number;
  offDelayMs: number;
  message: string;
  latch: boolean;
  suppressTagId: number;
  suppressEquals: number;
  setpointTagId: number;
}

export class AlarmConfigError extends Error {
  override name = 'AlarmConfigError';
}

const DEFAULT_MESSAGES: Record<AlarmType, string> = {
  hihi: '{tag} high-high: {value} {unit} (limit {limit} {unit})',
  hi: '{tag} high: {value} {unit} (limit {limit} {unit})',
  lo: '{tag} low: {value} {unit} (limit {limit} {unit})',
  lolo: '{tag} low-low: {value} {unit} (limit {limit} {unit})',
  roc: '{tag} changing too fast: {value} {unit}/s (limit {limit} {unit}/s)',
  deviation: '{tag} off setpoint by {value} {unit} (limit {limit} {unit})',
  discrete: '{tag} in alarm state ({value})',
  bad_quality: '{tag}: bad quality or communication lost',
  model: '{tag}: {value} (threshold {limit})',
};

function senseOf(d: AlarmDefinition): Sense {
  if (d.type === 'lo' || d.type === 'lolo') return 'below';
  if (d.type === 'model') return d.direction;
  return 'above';
}

function machineOf(tag: TagInfo): string {
  return tag.name.slice(0, tag.name.lastIndexOf('/'));
}

// A "*" matches within one path segment: Demo/PumpStation/Pump*/Flow, Demo/*/*/VibrationRMS.
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]*')}$`);
}

/**
 * Bind definitions to tags. Throws AlarmConfigError naming the definition (by its index in the
 * list) when a tag is missing or two alarms would share an id.
 */
export function compileDefinitions(definitions: readonly AlarmDefinition[], tags: readonly TagInfo[]): CompiledAlarm[] {
  const byName = new Map(tags.map((t) => [t.name, t]));
  const out: CompiledAlarm[] = [];
  const seen = new Set<string>();
  definitions.forEach((d, index) => {
    const where = `alarms[${index}] (${d.tag} ${d.type})`;
    let matched: TagInfo[];
    if (d.tag.includes('*')) {
      const re = globToRegExp(d.tag);
      matched = tags.filter((t) => re.test(t.name));
    } else {
      const t = byName.get(d.tag);
      matched = t ? [t] : [];
    }
    if (matched.length === 0) throw new AlarmConfigError(`${where}: no tag matches "${d.tag}"`);
    if (d.id && matched.length > 1)
      throw new AlarmConfigError(`${where}: an explicit id needs a single tag, but "${d.tag}" matches ${matched.length}`);
    const resolve = (name: string | undefined, tag: TagInfo, field: string): number => {
      if (name === undefined) return -1;
      const full = name.includes('/') ? name : `${machineOf(tag)}/${name}`;
      const ref = byName.get(full);
      if (!ref) throw new AlarmConfigError(`${where}: ${field} "${full}" is not a tag`);
      return ref.id;
    };
    for (const tag of matched) {
      const id = d.id ?? `${tag.name.replaceAll('/', '.')}.${d.type}`;
      if (seen.has(id)) throw new AlarmConfigError(`${where}: alarm id "${id}" is defined twice; give one of them an explicit id`);
      seen.add(id);
      out.push({
        id,
        tagId: tag.id,
        tag: tag.name,
        area: tag.area,
        machine: machineOf(tag),
        unit: tag.unit,
        decimals: tag.decimals,
        type: d.type,
        sense: senseOf(d),
        limit: d.limit ?? (d.type === 'discrete' ? 1 : 0),
        priority: d.priority,
        deadband: d.deadband,
        onDelayMs: d.onDelayS * 1000,
        offDelayMs: d.offDelayS * 1000,
        message: d.message ?? DEFAULT_MESSAGES[d.type],
        latch: d.latch,
        suppressTagId: resolve(d.suppressWhen?.tag, tag, 'suppressWhen.tag'),
        suppressEquals: d.suppressWhen?.equals ?? 0,
        setpointTagId: resolve(d.setpointTag, tag, 'setpointTag'),
      });
    }
  });
  return out;
}

const sectionSchema = z.array(alarmDefinitionSchema);

/** Parse the site file's `alarms:` section, each problem a sentence after its position (`alarms[1].priority`). */
export function parseDefinitions(section: readonly unknown[]): AlarmDefinition[] {
  const parsed = sectionSchema.safeParse(section);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .flatMap((issue) => describeZodIssue(issue, sectionSchema, section, ['alarms']))
      .map((d) => `${fieldPath(d.path)}: ${d.message}`);
    throw new AlarmConfigError(problems.join('; '));
  }
  return parsed.data;
}

/**
 * A value at the tag's decimals (4.62 mm/s, 29.2 m³/h), as the screens show its values; for a tag
 * without them (a discrete state, a tag table made without) two decimals at most (one from 100
 * up), trailing zeros dropped: 4.5, 4.28, 101.3. Never 17 significant digits.
 */
function formatValue(v: number, decimals: number | undefined): string {
  if (decimals !== undefined) {
    const text = v.toFixed(Math.min(12, Math.max(0, Math.trunc(decimals))));
    return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
  }
  return String(Number(v.toFixed(Math.abs(v) >= 100 ? 1 : 2)));
}

/**
 * A limit as the site file writes it (4.5, 80), trailing zeros dropped, to no more decimals than
 * the tag's (at least two): it is a set figure, not a measurement.
 */
function formatLimit(v: number, decimals: number | undefined): string {
  return String(Number(v.toFixed(Math.max(2, Math.min(12, Math.trunc(decimals ?? 2))))));
}

/**
 * The value and the words that belong to it ("{value} {unit}", ": {value}", "({value})"): what is
 * left out when there is no value to show, so a message never reads "Flow low: NaN m³/h".
 */
const VALUE_PART = /\s*\(\{value\}\)|(:\s*)?\{value\}( \{unit\}(\/s)?| %)?/g;

/**
 * The operator's text of an alarm. With no value (null, NaN: an alarm journaled before it ever
 * activated, such as a stopped pump's low-flow alarm suppressed at start) the value and its unit
 * are left out rather than written as "NaN".
 */
export function renderMessage(alarm: Pick<CompiledAlarm, 'message' | 'unit' | 'limit' | 'tag' | 'decimals'>, value: number | null): string {
  const template =
    value !== null && Number.isFinite(value)
      ? alarm.message.replaceAll('{value}', formatValue(value, alarm.decimals))
      : alarm.message.replace(VALUE_PART, '').replace(/ {2,}/g, ' ');
  return template
    .replaceAll('{unit}', alarm.unit)
    .replaceAll('{limit}', Number.isFinite(alarm.limit) ? formatLimit(alarm.limit, alarm.decimals) : '')
    .replaceAll('{tag}', alarm.tag);
}
