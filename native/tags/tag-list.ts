// Tag lists in and out: CSV with a Kepware-style column set (what engineers already have from
// their OPC servers and PLC exports) and JSON. An import is validated row by row against the tag
// schema and reports every bad row with its line; only a list without errors can be applied.

import type { z } from 'zod';
import type { TagInfo } from '../api/types.js';
import type { DriverTag } from '../drivers/driver.js';
import { describeValue, describeZodError } from '../util/describe.js';
import { describeError } from '../util/errors.js';
import { type TagConfig, tagSchema } from './config-schema.js';

export const KEPWARE_COLUMNS = [
  'Tag Name',
  'Address',
  'Data Type',
  'Respect Data Type',
  'Client Access',
  'Scan Rate',
  'Scaling',
  'Raw Low',
  'Raw High',
  'Scaled Low',
  'Scaled High',
  'Scaled Data Type',
  'Clamp Low',
  'Clamp High',
  'Eng Units',
  'Description',
  'Negate Value',
] as const;

/** Kepware data type ↔ the console's tag type and Modbus register type. */
const KEPWARE_TYPES: Record<string, { type: TagConfig['type']; modbus?: string }> = {
  Boolean: { type: 'bool', modbus: 'bool' },
  Word: { type: 'int', modbus: 'uint16' },
  Short: { type: 'int', modbus: 'int16' },
  DWord: { type: 'int', modbus: 'uint32' },
  Long: { type: 'int', modbus: 'int32' },
  Float: { type: 'float', modbus: 'float32' },
  Double: { type: 'float', modbus: 'float64' },
  String: { type: 'string', modbus: 'string' },
};

function kepwareTypeOf(tag: TagInfo, driverTag: DriverTag | undefined): string {
  const modbus = driverTag?.options.type;
  if (typeof modbus === 'string') {
    const hit = Object.entries(KEPWARE_TYPES).find(([, v]) => v.modbus === modbus);
    if (hit) return hit[0];
  }
  return tag.dataType === 'bool' ? 'Boolean' : tag.dataType === 'int' ? 'Long' : tag.dataType === 'string' ? 'String' : 'Double';
}

function csvField(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Returns rows with their 1-based line. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.some((f) => f !== '')) rows.push({ line: rowLine, fields });
      fields = [];
      field = '';
      line++;
      rowLine = line;
    } else field += c;
  }
  fields.push(field);
  if (fields.some((f) => f !== '')) rows.push({ line: rowLine, fields });
  return rows;
}

/** The tags of one machine (or all) as Kepware-style CSV. Names are the tag's own name within its machine. */
export function exportTagsCsv(tags: readonly TagInfo[], driverTags: ReadonlyMap<number, DriverTag>): string {
  const lines = [KEPWARE_COLUMNS.join(',')];
  for (const t of tags) {
    const d = driverTags.get(t.id);
    const s = d?.scaling;
    lines.push(
      [
        t.name,
        t.address,
        kepwareTypeOf(t, d),
        1,
        t.writable ? 'R/W' : 'RO',
        t.expectedPeriodMs,
        s ? 'Linear' : '',
        s?.rawLo,
        s?.rawHi,
        s?.engLo,
        s?.engHi,
        s ? 'Double' : '',
        s?.clamp ? 1 : '',
        s?.clamp ? 1 : '',
        t.unit,
        t.description,
        0,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

export interface ImportIssue {
  line: number;
  column: string;
  message: string;
}

export interface ImportResult {
  tags: TagConfig[];
  issues: ImportIssue[];
}

/** The Kepware columns a tag field is read from, as a CSV row's problems name them. */
const COLUMN_OF: Record<string, string> = {
  name: 'the Tag Name column',
  address: 'the Address column',
  type: 'the Data Type column',
  unit: 'the Eng Units column',
  description: 'the Description column',
  periodMs: 'the Scan Rate column',
  writable: 'the Client Access column',
  'scaling.rawLo': 'the Raw Low column',
  'scaling.rawHi': 'the Raw High column',
  'scaling.engLo': 'the Scaled Low column',
  'scaling.engHi': 'the Scaled High column',
  scaling: 'the Raw Low, Raw High, Scaled Low and Scaled High columns',
};

/**
 * A row that fails the tag schema, one sentence per problem naming the row's tag and the field (for
 * CSV the column it came from): never zod's own wording. `what` names the row ("tag "Level"").
 */
function rowIssues(error: z.ZodError, data: unknown, line: number, what: string, csv: boolean): ImportIssue[] {
  const column = (field: string) => (csv ? COLUMN_OF[field] : undefined);
  return describeZodError(error, tagSchema, data, {
    whole: what,
    field: (field) => {
      const named = column(field);
      return named ? { name: `${named} of ${what}`, several: named.endsWith(' columns') } : { name: `the field "${field}" of ${what}` };
    },
  }).map((p) => ({ line, column: p.path || (csv ? 'row' : 'item'), message: p.message }));
}

/** A row's tag as its problems name it: by its name where it has one, else by its place. */
const rowName = (name: unknown, place: string) => (typeof name === 'string' && name !== '' ? `tag "${name}"` : place);

/** A number column: empty is absent; text that is no number is kept as text, so that the row's problem says what it is. */
const num = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : Number.isFinite(Number(s)) ? Number(s) : s);

/**
 * Rows of a Kepware-style CSV as site-file tags. Tag names may be full paths or dotted Kepware
 * names: the last segment is the tag's name within the machine it is imported into.
 */
export function importTagsCsv(text: string): ImportResult {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = rows.shift();
  const issues: ImportIssue[] = [];
  if (!header) return { tags: [], issues: [{ line: 1, column: '', message: 'the file is empty' }] };
  const col = new Map(header.fields.map((h, i) => [h.trim(), i]));
  for (const required of ['Tag Name', 'Address', 'Data Type']) {
    if (!col.has(required))
      issues.push({
        line: header.line,
        column: required,
        message: `missing column "${required}" (expected a Kepware-style header: ${KEPWARE_COLUMNS.join(', ')})`,
      });
  }
  if (issues.length > 0) return { tags: [], issues };
  const get = (fields: string[], name: string) => {
    const i = col.get(name);
    return i === undefined ? undefined : fields[i]?.trim();
  };
  const tags: TagConfig[] = [];
  const seen = new Set<string>();
  for (const { line, fields } of rows) {
    const fullName = get(fields, 'Tag Name') ?? '';
    const name = fullName.split(/[/.]/).filter(Boolean).pop() ?? '';
    const kepType = get(fields, 'Data Type') ?? '';
    const mapped = KEPWARE_TYPES[kepType];
    if (!mapped) {
      issues.push({
        line,
        column: 'Data Type',
        message: `unknown data type "${kepType}" (one of ${Object.keys(KEPWARE_TYPES).join(', ')})`,
      });
      continue;
    }
    if (seen.has(name)) {
      issues.push({ line, column: 'Tag Name', message: `tag "${name}" appears twice` });
      continue;
    }
    seen.add(name);
    const scaled = (get(fields, 'Scaling') ?? '').toLowerCase() === 'linear';
    const access = (get(fields, 'Client Access') ?? 'RO').toUpperCase();
    const candidate = {
      name,
      address: get(fields, 'Address') ?? '',
      type: mapped.type,
      unit: get(fields, 'Eng Units') ?? '',
      description: get(fields, 'Description') ?? '',
      periodMs: num(get(fields, 'Scan Rate')),
      writable: access === 'R/W' || access === 'READ/WRITE',
      scaling: scaled
        ? {
            rawLo: num(get(fields, 'Raw Low')),
            rawHi: num(get(fields, 'Raw High')),
            engLo: num(get(fields, 'Scaled Low')),
            engHi: num(get(fields, 'Scaled High')),
            clamp: get(fields, 'Clamp Low') === '1' || get(fields, 'Clamp High') === '1',
          }
        : undefined,
      options: mapped.modbus && /^\d|^[a-z]{2}:|^\dx/i.test(get(fields, 'Address') ?? '') ? { type: mapped.modbus } : {},
    };
    const parsed = tagSchema.safeParse(candidate);
    if (!parsed.success) {
      issues.push(...rowIssues(parsed.error, candidate, line, rowName(name, `the row on line ${line}`), true));
      continue;
    }
    tags.push(parsed.data);
  }
  return { tags, issues };
}

/** JSON tag lists are arrays of site-file tag entries, validated the same way. */
export function importTagsJson(text: string): ImportResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { tags: [], issues: [{ line: 1, column: '', message: `the tag list is not JSON: ${describeError(err)}` }] };
  }
  if (!Array.isArray(data))
    return {
      tags: [],
      issues: [{ line: 1, column: '', message: `the tag list must be a JSON array of tags, but it is ${describeValue(data)}` }],
    };
  const tags: TagConfig[] = [];
  const issues: ImportIssue[] = [];
  data.forEach((entry, i) => {
    // A whole entry of the wrong kind is said with what an entry holds (tag fields), not a mapping of any fields.
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      issues.push({
        line: i + 1,
        column: 'item',
        message: `entry ${i + 1} of the list must be a mapping of tag fields, but it is ${describeValue(entry)}`,
      });
      return;
    }
    const parsed = tagSchema.safeParse(entry);
    if (parsed.success) tags.push(parsed.data);
    else {
      const what = rowName((entry as { name?: unknown }).name, `entry ${i + 1} of the list`);
      issues.push(...rowIssues(parsed.error, entry, i + 1, what, false));
    }
  });
  return { tags, issues };
}
