// How many decimals a tag's values are shown with: one answer, computed in the core and carried on
// TagInfo.decimals, so every screen (live values, alarms, journals, trends) shows a value alike.

/** The largest number of decimals a site file may ask for (beyond it a float32 source shows noise). */
export const MAX_DECIMALS = 12;

/**
 * Decimals by unit, for a tag without a normal range: what an operator reads such a unit in.
 * A unit not listed (and no range) is shown with 2.
 */
const UNIT_DECIMALS: Readonly<Record<string, number>> = {
  '%': 1,
  '°C': 1,
  '°F': 1,
  K: 1,
  bar: 2,
  mbar: 0,
  Pa: 0,
  kPa: 1,
  MPa: 3,
  W: 0,
  kW: 1,
  MW: 2,
  Wh: 0,
  kWh: 1,
  MWh: 2,
  A: 1,
  V: 0,
  Hz: 1,
  rpm: 0,
  'mm/s': 2,
  'm³/h': 1,
  'Nm³/h': 0,
  'Nm³/min': 1,
  'Nm³': 0,
  'm³': 0,
  't/h': 2,
  kg: 1,
  t: 2,
  units: 0,
  cycles: 0,
  s: 1,
  h: 1,
};

export interface DecimalsInput {
  type: 'float' | 'int' | 'bool' | 'string';
  unit: string;
  /** Normal operating range [low, high]. */
  range?: readonly [number, number] | null;
  /** Decimals the site file sets for the tag. */
  decimals?: number;
}

/**
 * The decimals a tag's values are shown with: the site file's `decimals` when set; else 0 for an
 * integer; else from the span of the normal range (3 to 4 significant digits across it: a span of
 * 1 to 10 → 3, 10 to 100 → 2, 100 to 1 000 → 1, from 1 000 → 0); else by unit; else 2. Undefined for booleans and text, which have
 * no decimals.
 */
export function displayDecimals(tag: DecimalsInput): number | undefined {
  if (tag.type === 'bool' || tag.type === 'string') return undefined;
  if (tag.decimals !== undefined) return tag.decimals;
  if (tag.type === 'int') return 0;
  const range = tag.range;
  if (range && Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[1] > range[0]) {
    // Three decimals for a span from 1 up to 10, one fewer per decade: 3 to 4 significant digits.
    const d = 3 - Math.floor(Math.log10(range[1] - range[0]));
    return Math.min(6, Math.max(0, d));
  }
  return UNIT_DECIMALS[tag.unit.trim()] ?? 2;
}
