// Emission factors: a versioned table with validity periods, units, gas breakdown and source
// citations. Defaults ship as JSON files in resources/emission-factors/ and are loaded into the
// ESG database; a site replaces them by adding its own files (or corrections through the API) with
// a higher version. A version, once loaded, never changes: a correction is a new version, and the
// records it affects are recomputed and the change audited (see service.ts).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { factorFields } from '../api/esg-requests.js';
import { parseAmountUnit } from './units.js';

export type GwpSet = 'AR4' | 'AR5' | 'AR6';

/** 100-year global warming potentials (IPCC AR4 WG1 Table 2.14, AR5 WG1 Table 8.7 without feedbacks, AR6 WG1 Table 7.15). */
export const GWP: Record<GwpSet, { co2: number; ch4: number; n2o: number }> = {
  AR4: { co2: 1, ch4: 25, n2o: 298 },
  AR5: { co2: 1, ch4: 28, n2o: 265 },
  AR6: { co2: 1, ch4: 27.9, n2o: 273 },
};

export const factorSchema = z
  .object({
    /** Stable id sources refer to, e.g. "grid.GB" or "fuel.natural-gas.stationary". */
    id: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and . _ : - only'),
    /** Increases with every new entry or correction of this id; (id, version) never changes meaning. */
    version: z.number().int().positive(),
    ...factorFields,
  })
  .strict()
  .refine((f) => f.gases !== undefined || f.co2e !== undefined, { message: 'a factor needs `gases` or `co2e`' })
  .refine((f) => f.gases !== undefined || f.gwpSet !== undefined, {
    message: 'a factor given as `co2e` must state its `gwpSet`',
    path: ['gwpSet'],
  })
  .refine((f) => !f.validTo || Date.parse(f.validTo) > Date.parse(f.validFrom), {
    message: 'validTo must be after validFrom',
    path: ['validTo'],
  })
  .superRefine((f, ctx) => {
    try {
      parseAmountUnit(f.unit);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message, path: ['unit'] });
    }
  });
export type FactorInput = z.input<typeof factorSchema>;

export const factorFileSchema = z
  .object({
    description: z.string().default(''),
    /** True for the shipped defaults: reports label every figure that used one. */
    isDefault: z.boolean().default(false),
    factors: z.array(factorSchema).min(1),
  })
  .strict();

export interface Factor {
  id: string;
  version: number;
  label: string;
  unit: string;
  fuel: string | null;
  validFrom: number;
  validTo: number | null;
  co2: number | null;
  ch4: number | null;
  n2o: number | null;
  co2eStated: number | null;
  gwpStated: GwpSet | null;
  source: string;
  url: string | null;
  notes: string;
  isDefault: boolean;
  origin: string;
}

export function toFactor(f: z.output<typeof factorSchema>, isDefault: boolean, origin: string): Factor {
  return {
    id: f.id,
    version: f.version,
    label: f.label,
    unit: f.unit,
    fuel: f.fuel ?? null,
    validFrom: Date.parse(f.validFrom),
    validTo: f.validTo ? Date.parse(f.validTo) : null,
    co2: f.gases?.co2 ?? null,
    ch4: f.gases?.ch4 ?? null,
    n2o: f.gases?.n2o ?? null,
    co2eStated: f.co2e ?? null,
    gwpStated: f.gwpSet ?? null,
    source: f.source,
    url: f.url ?? null,
    notes: f.notes,
    isDefault,
    origin,
  };
}

export class FactorError extends Error {
  override name = 'FactorError';
}

/** Every factor in every *.json file of a folder, validated; errors name the file and the path inside it. */
export function readFactorFiles(dir: string): Factor[] {
  const out: Factor[] = [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch (err) {
      throw new FactorError(`${file}: not valid JSON (${(err as Error).message})`);
    }
    const parsed = factorFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FactorError(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    for (const f of parsed.data.factors) out.push(toFactor(f, parsed.data.isDefault, file));
  }
  return out;
}

export interface Emission {
  co2: number;
  ch4: number;
  n2o: number;
  co2e: number;
  gwpSet: GwpSet;
}

/** kg of each gas and of CO2e for `activity` (already in the factor's unit). */
export function applyFactor(f: Factor, activity: number, siteGwp: GwpSet): Emission {
  if (f.co2 !== null) {
    const g = GWP[siteGwp];
    const co2 = f.co2 * activity;
    const ch4 = (f.ch4 ?? 0) * activity;
    const n2o = (f.n2o ?? 0) * activity;
    return { co2, ch4, n2o, co2e: co2 * g.co2 + ch4 * g.ch4 + n2o * g.n2o, gwpSet: siteGwp };
  }
  // Published as CO2e only: no gas split, and the publisher's GWP set is what the figure carries.
  return { co2: 0, ch4: 0, n2o: 0, co2e: (f.co2eStated ?? 0) * activity, gwpSet: f.gwpStated ?? siteGwp };
}

/** The version in force at instant t: among entries of `id` whose validity covers t, the highest version. */
export function resolveFactor(versions: readonly Factor[], t: number): Factor | null {
  let best: Factor | null = null;
  for (const f of versions) {
    if (f.validFrom <= t && (f.validTo === null || t < f.validTo) && (!best || f.version > best.version)) best = f;
  }
  return best;
}

/** Same meaning? Used to refuse a loaded version whose content was edited in place. */
export function sameFactor(a: Factor, b: Factor): boolean {
  return (
    a.unit === b.unit &&
    a.validFrom === b.validFrom &&
    a.validTo === b.validTo &&
    a.co2 === b.co2 &&
    a.ch4 === b.ch4 &&
    a.n2o === b.n2o &&
    a.co2eStated === b.co2eStated &&
    a.gwpStated === b.gwpStated &&
    (a.fuel ?? null) === (b.fuel ?? null)
  );
}
