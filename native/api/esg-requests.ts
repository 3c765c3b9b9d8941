// ESG requests: energy, water and CO2e summaries, time series for charts, report export, the
// emission-factor table with its corrections, and the data gaps behind the figures.
import { z } from 'zod';
import type { HttpForms } from './http.js';
import { DAY_MS, spanLimit } from './limits.js';
import type { ExportFile } from './types.js';

/**
 * What one ESG request may ask for (docs/api.md "Limits"): a year and a month of hourly records per
 * summary or series (a year-on-year comparison fits; 9,600 hourly buckets at most), gaps over ten
 * years (a row-limited list), reports for years from 1970 to next year.
 */
export const ESG_LIMITS = {
  summarySpanMs: 400 * DAY_MS,
  seriesSpanMs: 400 * DAY_MS,
  gapsSpanMs: 3_660 * DAY_MS,
  reportFirstYear: 1970,
  /** The longest a summary, series or report may run (it yields after each day of records) before it is abandoned. */
  deadlineMs: 60_000,
} as const;

const isoOrMs = z.union([z.number(), z.string().datetime({ offset: true })]).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));
const groupBy = z.enum(['site', 'area', 'machine']).default('site');
const range = { from: isoOrMs, to: isoOrMs };
const toAfterFrom = { message: '"to" must be after "from"', path: ['to'] };

const isoInstant = z.string().datetime({ offset: true });

/**
 * The fields of an emission factor beside its id and version, as a factor file gives them
 * (native/esg/factors.ts) and as a correction names them: declared once, here below the ESG floor.
 */
export const factorFields = {
  label: z.string().min(1),
  /** The activity unit the factor is per: kWh, Nm3, L, kg, m3… */
  unit: z.string().min(1),
  /** For fuel factors: which fuel (must match the meter's `fuel`). */
  fuel: z.string().optional(),
  validFrom: isoInstant,
  /** Exclusive end; absent = open-ended. */
  validTo: isoInstant.optional(),
  /** kg of each gas per unit of activity. When given, CO2e is computed with the site's GWP set. */
  gases: z
    .object({ co2: z.number().min(0), ch4: z.number().min(0).default(0), n2o: z.number().min(0).default(0) })
    .strict()
    .optional(),
  /** kg CO2e per unit as published, for factors only published as CO2e (most grid factors). */
  co2e: z.number().min(0).optional(),
  /** GWP set the publisher used for `co2e`. */
  gwpSet: z.enum(['AR4', 'AR5', 'AR6']).optional(),
  /** Citation: publisher, document, table, year. */
  source: z.string().min(1),
  url: z.string().optional(),
  notes: z.string().default(''),
};

export const esgRequests = {
  'esg.summary': z
    .object({ ...range, groupBy })
    .strict()
    .refine((a) => a.to > a.from, toAfterFrom)
    .superRefine(spanLimit('esg.summary', ESG_LIMITS.summarySpanMs)),
  /** Totals per bucket for charts: by local hour, shift, day, month or year. */
  'esg.series': z
    .object({ ...range, groupBy, period: z.enum(['hour', 'shift', 'day', 'month', 'year']).default('day') })
    .strict()
    .refine((a) => a.to > a.from, toAfterFrom)
    .superRefine(spanLimit('esg.series', ESG_LIMITS.seriesSpanMs)),
  /** A month, quarter or year report as a file: `start` is a local date (YYYY, YYYY-MM or YYYY-MM-DD) in the period. */
  'esg.report': z
    .object({
      period: z.enum(['month', 'quarter', 'year']),
      start: z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'YYYY, YYYY-MM or YYYY-MM-DD'),
      format: z.enum(['csv', 'html']),
    })
    .strict()
    .superRefine((a, ctx) => {
      const year = Number(a.start.slice(0, 4));
      const last = new Date().getUTCFullYear() + 1;
      if (year < ESG_LIMITS.reportFirstYear || year > last)
        ctx.addIssue({
          code: 'custom',
          path: ['start'],
          message: `start year ${a.start.slice(0, 4)} is outside the years ${ESG_LIMITS.reportFirstYear}–${last} that esg.report covers`,
        });
    }),
  'esg.factors.list': z.object({}).strict().default({}),
  /**
   * Correct an emission factor: a new version of `id` (the core assigns the number), after which
   * every record the correction affects is recomputed and the change audited.
   */
  'esg.factors.correct': z
    .object({
      id: z.string().min(1),
      ...factorFields,
      reason: z.string().min(3, 'state why the factor is corrected'),
    })
    .strict(),
  'esg.factors.changes': z.object({}).strict().default({}),
  'esg.gaps': z
    .object({ ...range, limit: z.number().int().min(1).max(10_000).default(1000) })
    .strict()
    .refine((a) => a.to > a.from, toAfterFrom)
    .superRefine(spanLimit('esg.gaps', ESG_LIMITS.gapsSpanMs)),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const esgHttp = {
  'esg.summary': { method: 'GET', path: '/api/esg/summary' },
  'esg.series': { method: 'GET', path: '/api/esg/series' },
  'esg.report': { method: 'GET', path: '/api/esg/report', file: true },
  'esg.factors.list': { method: 'GET', path: '/api/esg/factors' },
  'esg.factors.correct': { method: 'POST', path: '/api/esg/factors/correct' },
  'esg.factors.changes': { method: 'GET', path: '/api/esg/factors/changes' },
  'esg.gaps': { method: 'GET', path: '/api/esg/gaps' },
} as const satisfies HttpForms<typeof esgRequests>;

export type EsgGroupBy = 'site' | 'area' | 'machine';

export interface EsgCo2e {
  scope1: number;
  scope2Location: number;
  scope2Market: number;
  scope3: number;
  /** scope1 + scope2 (the method in `totalScope2`) + scope3. */
  total: number;
}

export interface EsgFactorUse {
  id: string;
  version: number;
  label: string;
  unit: string;
  isDefault: boolean;
  /** Hourly emission records that used this version. */
  records: number;
}

export interface EsgCoverage {
  /** Meter-time the period asks for (meters × elapsed period). */
  expectedMs: number;
  /** Meter-time backed by data (including estimated counter splits). */
  coveredMs: number;
  uncertainMs: number;
  estimatedMs: number;
  /** coveredMs / expectedMs, 0…1. */
  ratio: number;
  gaps: number;
  gapMs: number;
  /** Emission records without a factor valid at their hour (their CO2e is not counted). */
  missingFactorRecords: number;
}

export interface EsgPeakDemand {
  intervalMin: number;
  kW: number;
  at: string | null;
  /** Highest demand inside any configured tariff window, and outside all of them. */
  inWindowKW: number;
  outsideWindowKW: number;
  /** Highest demand per local hour of day, 0–23. */
  byHourOfDay: number[];
}

export interface EsgBaselineComparison {
  from: string;
  to: string;
  /** 'intensity' when both periods produced (kWh per unit), otherwise 'per-day'. */
  basis: 'intensity' | 'per-day';
  energyKWh: number;
  co2eKg: number;
  production: number;
  /** What this period would have used at the baseline's performance. */
  expectedEnergyKWh: number;
  savingsKWh: number;
  savingsCo2eKg: number;
  /** savingsKWh / expectedEnergyKWh, or null. */
  savingsRatio: number | null;
}

export interface EsgKpis {
  energyIntensityKWhPerUnit: number | null;
  specificEmissionsKgPerUnit: number | null;
  waterIntensityM3PerUnit: number | null;
  /** Share of energy used while the machine stood by or ran without producing. */
  idleShare: number | null;
  peakDemand: EsgPeakDemand;
  baseline: EsgBaselineComparison | null;
}

export interface EsgGroupSummary {
  /** "Demo", "Demo/Utilities" or "Demo/Utilities/Boiler1". */
  key: string;
  site: string;
  area: string | null;
  machine: string | null;
  energyKWh: number;
  idleEnergyKWh: number;
  waterM3: number;
  fuel: { fuel: string; unit: string; quantity: number }[];
  production: number;
  co2eKg: EsgCo2e;
  kpis: EsgKpis;
  factors: EsgFactorUse[];
  coverage: EsgCoverage;
}

export interface EsgSummary {
  from: string;
  to: string;
  groupBy: EsgGroupBy;
  timeZone: string;
  gwpSet: string;
  /** Which scope 2 method `total` uses. */
  totalScope2: 'location' | 'market';
  /** True where a scope 2 source has no market factor and its market figure is the location figure. */
  marketFallback: boolean;
  /**
   * The emission sources the site file maps (esg.sources), each with its scope: a scope with none
   * reads 0 because nothing is mapped to it, not because nothing was emitted, and screens say so.
   */
  sources: EsgSourceInfo[];
  groups: EsgGroupSummary[];
  totals: EsgGroupSummary;
}

export interface EsgSourceInfo {
  id: string;
  label: string;
  scope: 1 | 2 | 3;
  /** Scope 1: stationary, mobile…; scope 2: electricity, steam…; scope 3: the site's category, e.g. "3.3 fuel- and energy-related activities". */
  category: string;
}

export interface EsgSeries {
  period: 'hour' | 'shift' | 'day' | 'month' | 'year';
  /** Bucket labels in local time, in order. */
  buckets: string[];
  groups: { key: string; energyKWh: number[]; waterM3: number[]; co2eKg: { [K in keyof EsgCo2e]: number[] } }[];
}

/** The report as a file. */
export type EsgReportFile = ExportFile;

export interface EsgFactorRow {
  id: string;
  version: number;
  label: string;
  unit: string;
  fuel: string | null;
  validFrom: string;
  validTo: string | null;
  co2: number | null;
  ch4: number | null;
  n2o: number | null;
  co2eStated: number | null;
  gwpStated: string | null;
  source: string;
  url: string | null;
  notes: string;
  isDefault: boolean;
  origin: string;
  addedAt: string;
  addedBy: string | null;
}

export interface EsgFactorChange {
  seq: number;
  at: string;
  user: string | null;
  factorId: string;
  newVersion: number;
  reason: string;
  /** Records recomputed. */
  records: number;
  co2eBeforeKg: number;
  co2eAfterKg: number;
}

export interface EsgGap {
  meter: string;
  start: string;
  end: string;
  kind: 'missing' | 'estimated' | 'reset';
  reason: string;
}

export interface EsgResults {
  'esg.summary': EsgSummary;
  'esg.series': EsgSeries;
  'esg.report': EsgReportFile;
  'esg.factors.list': EsgFactorRow[];
  'esg.factors.correct': EsgFactorChange;
  'esg.factors.changes': EsgFactorChange[];
  'esg.gaps': EsgGap[];
}
