// The asset tree's schemas: tags, machine templates (like UDTs: defined once, instantiated N times
// with parameters), machines and areas. The whole site file's schema, which joins these with every
// capability's own section, is native/site/schema.ts (above the capabilities).
import { z } from 'zod';
import { MAX_DECIMALS } from './decimals.js';

/** A name that becomes part of a tag path. */
export const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "-" and "." only (it becomes part of a tag path)');

export const scalingSchema = z
  .object({
    rawLo: z.number(),
    rawHi: z.number(),
    engLo: z.number(),
    engHi: z.number(),
    clamp: z.boolean().default(false),
  })
  .strict()
  .refine((s) => s.rawHi !== s.rawLo && s.engHi !== s.engLo, {
    message: 'rawLo and rawHi must differ, and so must engLo and engHi: an empty range cannot be scaled',
  });

export const tagSchema = z
  .object({
    name,
    /** Protocol address; may use template parameters: {base} or, for numeric parameters, {base+4}. */
    address: z.string().min(1),
    type: z.enum(['float', 'int', 'bool', 'string']).default('float'),
    unit: z.string().max(32).default(''),
    description: z.string().max(256).default(''),
    /** Normal operating range shown by analog indicators. */
    range: z
      .tuple([z.number(), z.number()])
      .refine((r) => r[0] < r[1], { message: 'must be [low, high] with low below high' })
      .optional(),
    scaling: scalingSchema.optional(),
    /**
     * Decimals the tag's values are shown with on every screen (0…12). Without it: 0 for an integer,
     * else from the normal range's span or the unit (native/tags/decimals.ts displayDecimals).
     */
    decimals: z.number().int().min(0).max(MAX_DECIMALS).optional(),
    /** Poll or sampling period. */
    periodMs: z.number().int().min(10).max(3_600_000).optional(),
    writable: z.boolean().default(false),
    writeLimits: z.tuple([z.number(), z.number()]).optional(),
    /**
     * Names of the tag's values, shown instead of the raw value and offered as the only writes: a
     * boolean's two states (`{ false: Stop, true: Start }`; default OFF / ON), or an integer
     * enumeration (`{ 0: Off, 1: Auto, 2: Manual }`), which then takes only these values.
     */
    states: z.record(z.string(), z.string().trim().min(1).max(32)).optional(),
    /** Protocol-specific per-tag options (Modbus data type and word order, MQTT JSON paths…). */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .refine((t) => !t.writeLimits || t.writeLimits[0] < t.writeLimits[1], {
    message: 'must be [low, high] with low below high',
    path: ['writeLimits'],
  })
  .superRefine((t, ctx) => {
    // The console writes numbers and booleans only (native/tags/write-check.ts).
    if (t.writable && t.type === 'string')
      ctx.addIssue({
        code: 'custom',
        message: 'a text tag cannot be writable: the console writes numbers and booleans only',
        path: ['writable'],
      });
    if (t.decimals !== undefined && (t.type === 'bool' || t.type === 'string'))
      ctx.addIssue({
        code: 'custom',
        message: `a ${t.type === 'bool' ? 'boolean' : 'text'} tag has no decimals: only float and int tags take "decimals"`,
        path: ['decimals'],
      });
    if (!t.states) return;
    const keys = Object.keys(t.states);
    const bad = (message: string) => ctx.addIssue({ code: 'custom', message, path: ['states'] });
    if (t.type === 'bool') {
      if (keys.length !== 2 || !keys.includes('false') || !keys.includes('true'))
        bad(`a boolean tag names exactly its two states: { false: <name>, true: <name> } (found ${keys.join(', ') || 'none'})`);
    } else if (t.type === 'int') {
      const notInt = keys.filter((k) => !/^-?\d+$/.test(k));
      if (keys.length === 0) bad('an enumeration names at least one state: { 0: Off, 1: Auto, … }');
      else if (notInt.length) bad(`an integer tag's states are keyed by integers: ${notInt.map((k) => `"${k}"`).join(', ')} is not one`);
    } else bad(`only bool and int tags have named states (this tag is ${t.type})`);
  });

export type TagConfig = z.output<typeof tagSchema>;

const machineKind = z.enum(['pump', 'compressor', 'boiler', 'generic']);

/**
 * A machine's override of one of its template's tags: the fields given replace the template's for
 * this machine only (the other machines of the template keep the template's). No defaults: a field
 * not given is the template's. The merged tag must still be a valid tag (native/site/model.ts).
 */
export const tagOverrideSchema = z
  .object({
    address: z.string().min(1).optional(),
    unit: z.string().max(32).optional(),
    description: z.string().max(256).optional(),
    range: tagSchema.shape.range,
    scaling: tagSchema.shape.scaling,
    decimals: tagSchema.shape.decimals,
    periodMs: tagSchema.shape.periodMs,
    writable: z.boolean().optional(),
    writeLimits: tagSchema.shape.writeLimits,
    states: tagSchema.shape.states,
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type TagOverride = z.output<typeof tagOverrideSchema>;

export const templateSchema = z
  .object({
    kind: machineKind.default('generic'),
    description: z.string().default(''),
    /** Tag names by role (running, power, vibration…), so screens and models find them without naming conventions. */
    roles: z.record(z.string(), z.string()).default({}),
    /**
     * The tags the overview's machine card shows, by name, in order (at most 12); without it, the
     * first five numeric tags with a normal range.
     */
    keyTags: z.array(z.string().min(1)).min(1).max(12).optional(),
    tags: z.array(tagSchema).min(1),
  })
  .strict();

export const machineSchema = z
  .object({
    name,
    description: z.string().default(''),
    kind: machineKind.optional(),
    template: z.string().optional(),
    params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
    connection: z.string().min(1),
    roles: z.record(z.string(), z.string()).default({}),
    /** The machine's own key tags (see the template's keyTags); they replace the template's. */
    keyTags: z.array(z.string().min(1)).min(1).max(12).optional(),
    tags: z.array(tagSchema).default([]),
    /** Template tags changed for this machine only, by tag name (see tagOverrideSchema). */
    overrides: z.record(z.string(), tagOverrideSchema).default({}),
  })
  .strict()
  .refine((m) => m.template !== undefined || m.tags.length > 0, { message: 'a machine needs a template or its own tags', path: ['tags'] });

export const areaSchema = z.object({ name, description: z.string().default(''), machines: z.array(machineSchema).min(1) }).strict();
