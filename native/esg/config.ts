// The site file's `esg:` block: which tags carry activity data (power, energy counters, fuel,
// water, production, running state), which emission source each feeds, and the site's reporting
// choices (GWP set, scope 2 method for the total, tariff window, baseline, shifts).
import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time "HH:MM"');
const isoInstant = z.string().datetime({ offset: true });

export const meterKinds = [
  /** Instantaneous power (kW, W, MW): integrated over time into kWh. */
  'power',
  /** Cumulative energy meter (kWh, MWh…): differences between readings, with rollover. */
  'energyCounter',
  /** Fuel rate (Nm³/h, L/min, kg/h): integrated over time. */
  'fuelFlow',
  /** Fuel totaliser (Nm³, L, kg): differences between readings. */
  'fuelTotal',
  /** Water rate (m³/h, L/min): integrated over time. */
  'waterFlow',
  /** Water totaliser (m³, L): differences between readings. */
  'waterTotal',
  /** Production counter (units): differences between readings; the denominator of intensities. */
  'production',
  /** Boolean running state of a machine, for idle energy. */
  'running',
] as const;
export type MeterKind = (typeof meterKinds)[number];

export const meterSchema = z
  .object({
    /** Full tag name, Site/Area/Machine/Tag. */
    tag: z.string().min(1),
    kind: z.enum(meterKinds),
    /** Overrides the tag's own unit (for tags whose unit text is missing or unusual). */
    unit: z.string().optional(),
    /** Which fuel a fuel meter measures, e.g. natural-gas, diesel (matches the factor's `fuel`). */
    fuel: z.string().optional(),
    /**
     * Emission source(s) this meter's activity feeds (ids from `sources`), e.g. a fuel meter feeding scope 1
     * combustion and scope 3.3 upstream emissions; none means activity only (e.g. sub-meters).
     */
    source: z
      .union([z.string(), z.array(z.string()).min(1)])
      .optional()
      .transform((s) => (s === undefined ? [] : typeof s === 'string' ? [s] : s)),
    /** Counter value at which the meter wraps to zero (e.g. 4294967296 for a uint32 register, 999999.9 for a 6-digit register). */
    rollover: z.number().positive().optional(),
    /** Longest interval between samples bridged by integration; longer intervals are gaps. */
    maxGapS: z.number().positive().max(86_400).optional(),
    /** Trapezoid (analog power, flows) or step (values held until they change: report-by-exception). */
    integration: z.enum(['trapezoid', 'step']).default('trapezoid'),
    /** Overrides of the tag's asset placement, for meters that measure another machine or an area. */
    area: z.string().optional(),
    machine: z.string().optional(),
  })
  .strict()
  .refine((m) => !['fuelFlow', 'fuelTotal'].includes(m.kind) || m.fuel, { message: 'a fuel meter needs `fuel`', path: ['fuel'] });
export type MeterConfig = z.output<typeof meterSchema>;

export const sourceSchema = z
  .object({
    id: z.string().min(1),
    label: z.string().default(''),
    /** GHG Protocol scope. */
    scope: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    /** Scope 1: stationary | mobile | process | fugitive; scope 2: electricity | steam | heat | cooling; scope 3: the user's category, e.g. "3.3 fuel- and energy-related". */
    category: z.string().min(1),
    /** Factor id for scopes 1 and 3. */
    factor: z.string().optional(),
    /** Scope 2 location-based factor id (grid average). */
    locationFactor: z.string().optional(),
    /** Scope 2 market-based factor id (supplier, contract or residual mix); absent → the location factor is used and the fallback stated. */
    marketFactor: z.string().optional(),
  })
  .strict()
  .refine((s) => (s.scope === 2 ? s.locationFactor !== undefined : s.factor !== undefined), {
    message: 'scope 1 and 3 sources need `factor`; scope 2 sources need `locationFactor`',
  });
export type SourceConfig = z.output<typeof sourceSchema>;

export const tariffWindowSchema = z
  .object({
    name: z.string().default('peak'),
    /** Local weekdays, 0 Sunday … 6 Saturday. */
    days: z.array(z.number().int().min(0).max(6)).min(1).default([1, 2, 3, 4, 5]),
    from: hhmm,
    to: hhmm,
  })
  .strict();

export const esgConfigSchema = z
  .object({
    /** Grid region, informational (the location factor id names the region's factor). */
    gridRegion: z.string().default(''),
    /** GWP set used to turn CH4 and N2O into CO2e for factors given by gas. */
    gwpSet: z.enum(['AR4', 'AR5', 'AR6']).default('AR5'),
    /** Which scope 2 method the total uses (GHG Protocol asks for both to be reported; one feeds the total). */
    totalScope2: z.enum(['location', 'market']).default('location'),
    /** Default longest bridged interval between samples, seconds. */
    maxGapS: z.number().positive().max(86_400).default(60),
    /** A machine with a production counter is idle when it has not counted for this long. */
    idleAfterS: z.number().positive().default(120),
    /** Demand interval for peak demand, minutes (utility billing uses 15 or 30). */
    demandIntervalMin: z.union([z.literal(15), z.literal(30), z.literal(60)]).default(15),
    tariffWindows: z.array(tariffWindowSchema).default([]),
    /** Baseline period for comparisons and savings. */
    baseline: z.object({ from: isoInstant, to: isoInstant }).strict().optional(),
    shifts: z.array(z.object({ name: z.string().min(1), start: hhmm }).strict()).default([]),
    sources: z.array(sourceSchema).default([]),
    meters: z.array(meterSchema).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    c.sources.forEach((s, i) => {
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', message: `source "${s.id}" is declared twice`, path: ['sources', i, 'id'] });
      ids.add(s.id);
    });
    const tags = new Set<string>();
    c.meters.forEach((m, i) => {
      if (tags.has(m.tag)) ctx.addIssue({ code: 'custom', message: `tag ${m.tag} is configured twice`, path: ['meters', i, 'tag'] });
      tags.add(m.tag);
      for (const s of m.source)
        if (!ids.has(s)) ctx.addIssue({ code: 'custom', message: `unknown source "${s}"`, path: ['meters', i, 'source'] });
      if (m.source.length > 0 && ['production', 'running'].includes(m.kind)) {
        ctx.addIssue({ code: 'custom', message: `a ${m.kind} meter feeds no emission source`, path: ['meters', i, 'source'] });
      }
    });
    if (c.baseline && Date.parse(c.baseline.to) <= Date.parse(c.baseline.from)) {
      ctx.addIssue({ code: 'custom', message: 'baseline "to" must be after "from"', path: ['baseline', 'to'] });
    }
  });

export type EsgConfig = z.output<typeof esgConfigSchema>;
export type EsgConfigInput = z.input<typeof esgConfigSchema>;
