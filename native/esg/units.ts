// Engineering units of activity data. Tags carry free-text units ("Nm³/h", "m3/h", "kW", "L/min");
// ESG arithmetic needs them as a quantity kind, a canonical unit and a factor to it. Unknown or
// mismatched units are configuration errors, never guessed at.

/** Canonical units the ESG records are kept in. */
export type CanonicalUnit = 'kWh' | 'm3' | 'Nm3' | 'Sm3' | 'L' | 'kg' | 'units';
export type QuantityKind = 'energy' | 'volume' | 'normal-volume' | 'standard-volume' | 'mass' | 'count';

interface UnitDef {
  kind: QuantityKind;
  canonical: CanonicalUnit;
  /** Multiply a value in this unit by this to get the canonical unit. */
  toCanonical: number;
}

const AMOUNTS: Record<string, UnitDef> = {
  wh: { kind: 'energy', canonical: 'kWh', toCanonical: 1e-3 },
  kwh: { kind: 'energy', canonical: 'kWh', toCanonical: 1 },
  mwh: { kind: 'energy', canonical: 'kWh', toCanonical: 1e3 },
  gwh: { kind: 'energy', canonical: 'kWh', toCanonical: 1e6 },
  mj: { kind: 'energy', canonical: 'kWh', toCanonical: 1 / 3.6 },
  gj: { kind: 'energy', canonical: 'kWh', toCanonical: 1e3 / 3.6 },
  tj: { kind: 'energy', canonical: 'kWh', toCanonical: 1e6 / 3.6 },
  m3: { kind: 'volume', canonical: 'm3', toCanonical: 1 },
  l: { kind: 'volume', canonical: 'm3', toCanonical: 1e-3 },
  ml: { kind: 'volume', canonical: 'm3', toCanonical: 1e-6 },
  nm3: { kind: 'normal-volume', canonical: 'Nm3', toCanonical: 1 },
  sm3: { kind: 'standard-volume', canonical: 'Sm3', toCanonical: 1 },
  kg: { kind: 'mass', canonical: 'kg', toCanonical: 1 },
  g: { kind: 'mass', canonical: 'kg', toCanonical: 1e-3 },
  t: { kind: 'mass', canonical: 'kg', toCanonical: 1e3 },
  units: { kind: 'count', canonical: 'units', toCanonical: 1 },
  unit: { kind: 'count', canonical: 'units', toCanonical: 1 },
  pcs: { kind: 'count', canonical: 'units', toCanonical: 1 },
  count: { kind: 'count', canonical: 'units', toCanonical: 1 },
};

/** Power units, to kW. */
const POWERS: Record<string, number> = { w: 1e-3, kw: 1, mw: 1e3 };

/** Seconds per time unit of a rate ("/h", "/min", "/s", "/d"). */
const PER: Record<string, number> = { s: 1, sec: 1, min: 60, h: 3600, hr: 3600, d: 86400, day: 86400 };

export class UnitError extends Error {
  override name = 'UnitError';
}

function normalise(unit: string): string {
  return unit.trim().replace(/³/g, '3').replace(/\s+/g, '').toLowerCase();
}

/** An amount unit (kWh, Nm³, L, kg, units): kind, canonical unit and conversion factor. */
export function parseAmountUnit(unit: string): UnitDef {
  const def = AMOUNTS[normalise(unit)];
  if (!def) throw new UnitError(`"${unit}" is not an energy, volume, mass or count unit the ESG module knows`);
  return def;
}

/** A rate unit: a power (kW → kWh per hour) or an amount per time (Nm³/h, L/min). Returns canonical units per second. */
export function parseRateUnit(unit: string): { kind: QuantityKind; canonical: CanonicalUnit; perSecond: number } {
  const n = normalise(unit);
  const kw = POWERS[n];
  if (kw !== undefined) return { kind: 'energy', canonical: 'kWh', perSecond: kw / 3600 };
  const slash = n.indexOf('/');
  if (slash < 0) throw new UnitError(`"${unit}" is not a rate (expected a power such as kW or an amount per time such as m³/h)`);
  const amount = AMOUNTS[n.slice(0, slash)];
  const per = PER[n.slice(slash + 1)];
  if (!amount || per === undefined) throw new UnitError(`"${unit}" is not a rate the ESG module knows`);
  return { kind: amount.kind, canonical: amount.canonical, perSecond: amount.toCanonical / per };
}

/** Factor to convert an amount in `from` to `to`; throws if they measure different things. */
export function conversionFactor(from: string, to: string): number {
  const a = parseAmountUnit(from);
  const b = parseAmountUnit(to);
  if (a.kind !== b.kind) throw new UnitError(`cannot convert ${from} (${a.kind}) to ${to} (${b.kind})`);
  return a.toCanonical / b.toCanonical;
}
