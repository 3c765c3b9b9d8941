import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEMO_SITE_FILE } from '../core.js';
import { validateSiteText } from '../site/index.js';
import { displayDecimals } from './decimals.js';

describe('displayDecimals', () => {
  it('takes the site file’s decimals when set', () => {
    expect(displayDecimals({ type: 'float', unit: 'bar', range: [0, 10_000], decimals: 4 })).toBe(4);
    expect(displayDecimals({ type: 'int', unit: '', decimals: 1 })).toBe(1);
  });

  it('defaults from the span of the normal range', () => {
    expect(displayDecimals({ type: 'float', unit: '', range: [0, 1] })).toBe(3);
    expect(displayDecimals({ type: 'float', unit: '', range: [0, 100] })).toBe(1);
    expect(displayDecimals({ type: 'float', unit: '', range: [0, 10_000] })).toBe(0);
    expect(displayDecimals({ type: 'float', unit: 'bar', range: [3, 5] })).toBe(3);
    expect(displayDecimals({ type: 'float', unit: '%', range: [40, 100] })).toBe(2);
    expect(displayDecimals({ type: 'float', unit: '', range: [0, 0.001] })).toBe(6);
  });

  it('falls back to the unit, then to 2', () => {
    expect(displayDecimals({ type: 'float', unit: 'kWh' })).toBe(1);
    expect(displayDecimals({ type: 'float', unit: 'rpm', range: null })).toBe(0);
    expect(displayDecimals({ type: 'float', unit: 'furlongs' })).toBe(2);
  });

  it('gives integers 0 and booleans and text none', () => {
    expect(displayDecimals({ type: 'int', unit: 'units', range: [0, 1] })).toBe(0);
    expect(displayDecimals({ type: 'bool', unit: '' })).toBeUndefined();
    expect(displayDecimals({ type: 'string', unit: '' })).toBeUndefined();
  });
});

type Site = {
  areas: { machines: { tags?: Record<string, unknown>[] }[] }[];
  templates: Record<string, { tags: Record<string, unknown>[] }>;
};

/** The demo site with `edit` applied to its first own tag of a machine, or to the first template's first tag. */
function demoWith(edit: Record<string, unknown>): string {
  const site = parse(readFileSync(DEMO_SITE_FILE, 'utf8')) as Site;
  const template = Object.values(site.templates)[0];
  if (!template) throw new Error('the demo site has no template');
  Object.assign(template.tags[0] ?? {}, edit);
  return stringify(site);
}

describe('site file decimals', () => {
  it('are carried on every numeric tag of the model', () => {
    const r = validateSiteText(readFileSync(DEMO_SITE_FILE, 'utf8'), 'demo.yaml');
    expect(r.issues).toEqual([]);
    const tags = r.model?.tags ?? [];
    expect(tags.length).toBeGreaterThan(10);
    for (const t of tags) {
      if (t.dataType === 'bool' || t.dataType === 'string') expect(t.decimals, t.name).toBeUndefined();
      else expect(t.decimals, t.name).toBeGreaterThanOrEqual(0);
    }
  });

  it('set in the file win over the default', () => {
    const r = validateSiteText(demoWith({ type: 'float', decimals: 5 }), 'site.yaml');
    expect(r.issues).toEqual([]);
    expect(r.model?.tags.some((t) => t.decimals === 5)).toBe(true);
  });

  it.each([
    [{ type: 'float', decimals: 13 }, /12/],
    [{ type: 'float', decimals: -1 }, /0/],
    [{ type: 'float', decimals: 1.5 }, /whole number/],
    [{ type: 'float', decimals: '2' }, /number/],
    [{ type: 'bool', decimals: 1 }, /a boolean tag has no decimals/],
  ])('refuse %j with a message', (edit, message) => {
    const r = validateSiteText(demoWith(edit), 'site.yaml');
    expect(r.model).toBeNull();
    const issue = r.issues.find((i) => i.field.endsWith('decimals'));
    expect(issue?.message).toMatch(message);
  });
});

describe('machine key tags', () => {
  it('are the template’s keyTags, else the first five numeric tags with a range', () => {
    const r = validateSiteText(readFileSync(DEMO_SITE_FILE, 'utf8'), 'demo.yaml');
    const pump = r.model?.machines.find((m) => m.name.endsWith('/Pump101'));
    expect(pump?.keyTags).toEqual(
      ['Flow', 'DischargePressure', 'Power', 'VibrationRMS', 'BearingTemp', 'MotorTemp'].map((t) => `${pump?.name}/${t}`),
    );
    for (const m of r.model?.machines ?? []) {
      expect(m.keyTags.length, m.name).toBeLessThanOrEqual(12);
      for (const k of m.keyTags)
        expect(
          r.model?.tags.some((t) => t.name === k),
          k,
        ).toBe(true);
    }
    const header = r.model?.machines.find((m) => m.name.endsWith('/Header'));
    const withRange = r.model?.tags.filter((t) => t.name.startsWith(`${header?.name}/`) && t.rangeLo !== null) ?? [];
    expect(header?.keyTags).toEqual(withRange.slice(0, 5).map((t) => t.name));
  });

  it('naming a tag the machine does not have is refused with the name', () => {
    const r = validateSiteText(readFileSync(DEMO_SITE_FILE, 'utf8').replace('keyTags: [', 'keyTags: [Flwo, '), 'site.yaml');
    expect(r.model).toBeNull();
    expect(r.issues.some((i) => /key tag "Flwo" is not a tag of machine/.test(i.message))).toBe(true);
  });
});

describe('site date format', () => {
  it('is iso unless the site file chooses dmy or mdy, and is refused otherwise', () => {
    const text = readFileSync(DEMO_SITE_FILE, 'utf8');
    expect(validateSiteText(text, 'demo.yaml').model?.site.dateFormat).toBe('iso');
    const dmy = validateSiteText(text.replace('timeZone: UTC', 'timeZone: UTC\n  dateFormat: dmy'), 'site.yaml');
    expect(dmy.model?.site.dateFormat).toBe('dmy');
    const bad = validateSiteText(text.replace('timeZone: UTC', 'timeZone: UTC\n  dateFormat: us'), 'site.yaml');
    expect(bad.model).toBeNull();
    expect(bad.issues.find((i) => i.field.endsWith('dateFormat'))?.message).toMatch(/iso/);
  });
});
