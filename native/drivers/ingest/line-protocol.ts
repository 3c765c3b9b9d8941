// InfluxDB 1.x line protocol (POST /api/write), parsed straight from the request text into the
// push's columns: no object per line or per field, one substring per field (the key its console
// tag is looked up by, cached per connection) and none for numbers or timestamps. The grammar:
//
//   measurement[,tag=value…] field=value[,field=value…] [timestamp]
//
// Measurements escape `\,` and `\ `; tag keys, tag values and field keys also `\=`; string field
// values are double-quoted and escape `\"` and `\\`. Field values: float (`1`, `-1.5`, `2e3`),
// integer `42i`, unsigned `42u`, boolean (`t T true True TRUE f F false False FALSE`) or string.
// Blank lines and lines starting with `#` are skipped. A line holds at most
// INGEST_LIMITS.fieldsPerLine fields and MAX_TAGS_PER_LINE tags; a string value holds at most
// MAX_STRING_CHARS characters (the bound of a text value in every ingest form). A line is taken
// whole or refused whole, with its number (1 = the first line of the body) and the cause.

import { INGEST_LIMITS, type Precision } from '../../api/tag-requests.js';

const MAX_FIELDS = INGEST_LIMITS.fieldsPerLine;
/**
 * Tags of one line. Each is part of the key a field's console tag is remembered by (and of the
 * parts a naming rule reads), so a line with thousands would make that memory and the reused
 * position array as large as the body; real tag sets hold a handful.
 */
export const MAX_TAGS_PER_LINE = 256;
/** Characters of one string field value, after its escapes are undone: what a JSON item's text value may hold. */
export const MAX_STRING_CHARS = 1024;

/** Per precision: how many trailing digits are below a millisecond, or the milliseconds one unit is. */
const SUB_MS_DIGITS: Record<Precision, number> = { ns: 6, n: 6, u: 3, us: 3, ms: 0, s: 0, m: 0, h: 0 };
const MS_PER_UNIT: Record<Precision, number> = { ns: 1, n: 1, u: 1, us: 1, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
const SUB_MS_SCALE = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];

export type TemplatePart = { text: string } | { measurement: true } | { field: true } | { tag: string };

/**
 * The parts of a name template ("{measurement}/{tag:host}/{field}"), or why it is not one. Literal
 * braces are not allowed (they would make a name the template cannot be read back from).
 */
export function compileTemplate(template: string): TemplatePart[] | string {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = template.indexOf('}', i);
    if (close !== -1 && (open === -1 || close < open)) return `name template "${template}": "}" at character ${close + 1} closes nothing`;
    if (open === -1) {
      parts.push({ text: template.slice(i) });
      break;
    }
    if (open > i) parts.push({ text: template.slice(i, open) });
    const end = template.indexOf('}', open);
    if (end === -1) return `name template "${template}": "{" at character ${open + 1} is not closed`;
    const inner = template.slice(open + 1, end);
    if (inner === 'measurement') parts.push({ measurement: true });
    else if (inner === 'field') parts.push({ field: true });
    else if (inner.startsWith('tag:') && inner.length > 4 && !/[{}]/.test(inner)) parts.push({ tag: inner.slice(4) });
    else return `name template "${template}": unknown placeholder "{${inner}}"; use {measurement}, {field} or {tag:<tag key>}`;
    i = end + 1;
  }
  if (!parts.some((p) => !('text' in p)))
    return `name template "${template}" has no placeholder, so every field would be one tag; use {measurement}, {field} or {tag:<key>}`;
  return parts;
}

/** The unescaped parts of one field of a line: what a naming rule reads. */
export interface FieldRef {
  measurement: string;
  tags: Record<string, string>;
  field: string;
}

/** The console tag a field is stored as: its bus id, name and whether it takes text. */
export interface LineTarget {
  id: number;
  name: string;
  text: boolean;
  type: string;
}

export interface LineSink {
  /**
   * The tag of a field, or why it has none. `key` is unique per series and field (the raw text
   * "measurement,tags field"), so the sink may cache by it; `ref(field)` decodes the parts when
   * needed (valid only during the call).
   */
  resolve(key: string, ref: (field: number) => FieldRef, field: number): LineTarget | string;
  /** Whether a line's fields may be stored at `ts` (ms since 1970): null, or why not. */
  accept(ts: number): string | null;
  /** Take one field of an accepted line. */
  push(id: number, value: number | boolean | string, ts: number): void;
  /** A refused line: nothing of it was taken. */
  refuse(line: number, message: string): void;
}

const BACKSLASH = 92;
const COMMA = 44;
const SPACE = 32;
const TAB = 9;
const EQUALS = 61;
const QUOTE = 34;
const HASH = 35;
const CR = 13;
const MINUS = 45;

/**
 * Reused between lines (one parse at a time runs on the thread): field positions and values, at
 * most MAX_FIELDS of each, and tag positions of at most MAX_TAGS_PER_LINE tags, so one long line
 * cannot leave them large for as long as the process runs.
 */
const fieldKeyStart: number[] = [];
const fieldKeyEnd: number[] = [];
const fieldValue: (number | boolean | string)[] = [];
const tagPos: number[] = [];
const targets: LineTarget[] = [];
/** How many entries of the arrays above the current line uses (they are never shrunk). */
let tagCount = 0;
let fieldCount = 0;

class LineError extends Error {}

/** The line being resolved, for decodeField (one module-level function: no closure per line). */
const cur = { text: '', s: 0, e: 0 };

function decodeField(f: number): FieldRef {
  const { text, s, e } = cur;
  const tags: Record<string, string> = {};
  for (let t = 0; t < tagCount * 4; t += 4)
    tags[unescapeKey(text.slice(tagPos[t] as number, tagPos[t + 1]), false)] = unescapeKey(
      text.slice(tagPos[t + 2] as number, tagPos[t + 3]),
      false,
    );
  return {
    measurement: unescapeKey(text.slice(s, scanTo(text, s, e, false)), true),
    tags,
    field: unescapeKey(text.slice(fieldKeyStart[f] as number, fieldKeyEnd[f]), false),
  };
}

function unescapeKey(s: string, measurement: boolean): string {
  if (s.indexOf('\\') === -1) return s;
  return s.replace(measurement ? /\\([, ])/g : /\\([,= ])/g, '$1');
}

/** Scan a key or tag value from `i` to the first unescaped stop character; returns its end. */
function scanTo(text: string, i: number, end: number, stopEquals: boolean): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      i += 2;
      continue;
    }
    if (c === COMMA || c === SPACE || (stopEquals && c === EQUALS)) return i;
    i++;
  }
  return Math.min(i, end);
}

const snippet = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/** A field value that is not a string, from text[s, e); the field's key is text[k, eq) (for messages). */
function parseNumber(text: string, s: number, e: number, k: number, eq: number): number | boolean {
  const last = text.charCodeAt(e - 1);
  if (last === 105 /* i */ || last === 117 /* u */) {
    let j = s;
    const negative = text.charCodeAt(j) === MINUS;
    if (negative) {
      if (last === 117)
        throw new LineError(`field "${unescapeKey(text.slice(k, eq), false)}": unsigned value ${text.slice(s, e)} is negative`);
      j++;
    }
    if (j === e - 1) throw new LineError(`field "${unescapeKey(text.slice(k, eq), false)}": ${text.slice(s, e)} has no digits`);
    let n = 0;
    for (; j < e - 1; j++) {
      const d = text.charCodeAt(j) - 48;
      if (d < 0 || d > 9)
        throw new LineError(
          `field "${unescapeKey(text.slice(k, eq), false)}": ${text.slice(s, e)} is not an ${last === 105 ? 'integer' : 'unsigned integer'}`,
        );
      n = n * 10 + d;
    }
    if (n > Number.MAX_SAFE_INTEGER)
      throw new LineError(
        `field "${unescapeKey(text.slice(k, eq), false)}": ${text.slice(s, e)} is beyond ±2^53, the integers a sample stores exactly`,
      );
    return negative ? -n : n;
  }
  // Booleans: t T true True TRUE f F false False FALSE.
  const first = text.charCodeAt(s);
  if (first === 116 || first === 84 || first === 102 || first === 70) {
    const word = text.slice(s, e);
    if (word === 't' || word === 'T' || word === 'true' || word === 'True' || word === 'TRUE') return true;
    if (word === 'f' || word === 'F' || word === 'false' || word === 'False' || word === 'FALSE') return false;
    throw new LineError(`field "${unescapeKey(text.slice(k, eq), false)}": ${snippet(word)} is not a number, boolean or quoted string`);
  }
  // The common float, [-]digits[.digits]: an integer of at most 15 digits divided by a power of ten
  // is one correctly rounded division, the same double Number() gives for the text.
  let j = s;
  const negative = first === MINUS;
  if (negative) j++;
  let n = 0;
  let digits = 0;
  let decimals = -1;
  for (; j < e; j++) {
    const c = text.charCodeAt(j);
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0) decimals = 0;
    else break;
  }
  if (j === e && digits > 0 && digits <= 15) {
    const v = decimals > 0 ? n / (POW10[decimals] as number) : n;
    return negative ? -v : v;
  }
  // Anything else (an exponent, many digits): digits, sign, point and exponent only (Number() alone
  // would take "0x10", "Infinity", " ").
  for (let x = s; x < e; x++) {
    const c = text.charCodeAt(x);
    if (!((c >= 48 && c <= 57) || c === 46 || c === MINUS || c === 43 || c === 101 || c === 69) || (c === 43 && x === s))
      throw new LineError(
        `field "${unescapeKey(text.slice(k, eq), false)}": ${snippet(text.slice(s, e))} is not a number, boolean or quoted string`,
      );
  }
  const v = Number(text.slice(s, e));
  if (!Number.isFinite(v))
    throw new LineError(`field "${unescapeKey(text.slice(k, eq), false)}": ${snippet(text.slice(s, e))} is not a finite number`);
  return v;
}

function parseTimestamp(text: string, s: number, e: number, precision: Precision): number {
  let j = s;
  const negative = text.charCodeAt(j) === MINUS;
  if (negative) j++;
  const digits = e - j;
  if (digits === 0 || digits > 19) throw new LineError(`timestamp ${snippet(text.slice(s, e))} is not an integer of at most 19 digits`);
  const sub = Math.min(SUB_MS_DIGITS[precision], digits);
  let whole = 0;
  let frac = 0;
  for (let k = j; k < e; k++) {
    const d = text.charCodeAt(k) - 48;
    if (d < 0 || d > 9) throw new LineError(`timestamp ${snippet(text.slice(s, e))} is not an integer`);
    if (k < e - sub) whole = whole * 10 + d;
    else frac = frac * 10 + d;
  }
  const ms = (whole + frac / (SUB_MS_SCALE[SUB_MS_DIGITS[precision]] as number)) * MS_PER_UNIT[precision];
  return negative ? -ms : ms;
}

/**
 * Parse lines from character `start` (line number `line` there) until `maxLines` lines are read
 * or the text ends; each line's fields go to the sink whole, or the line is refused. Returns where
 * the next slice starts. Lines without a timestamp are stored at `now`.
 */
export function parseLines(
  text: string,
  start: number,
  line: number,
  maxLines: number,
  precision: Precision,
  now: number,
  sink: LineSink,
): { next: number; line: number } {
  let pos = start;
  let read = 0;
  while (pos < text.length && read < maxLines) {
    let e = text.indexOf('\n', pos);
    if (e === -1) e = text.length;
    const next = e + 1;
    if (e > pos && text.charCodeAt(e - 1) === CR) e--;
    let s = pos;
    while (s < e && (text.charCodeAt(s) === SPACE || text.charCodeAt(s) === TAB)) s++;
    const n = line;
    line++;
    read++;
    pos = next;
    if (s === e || text.charCodeAt(s) === HASH) continue;
    try {
      parseLine(text, s, e, precision, now, sink);
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      sink.refuse(n, `line ${n}: ${err.message} in ${snippet(text.slice(s, e))}`);
    }
  }
  return { next: pos, line };
}

function parseLine(text: string, s: number, e: number, precision: Precision, now: number, sink: LineSink): void {
  // Measurement, then the tag set: positions only.
  let i = scanTo(text, s, e, false);
  if (i === s) throw new LineError('no measurement');
  tagCount = 0;
  while (i < e && text.charCodeAt(i) === COMMA) {
    const k = i + 1;
    const eq = scanTo(text, k, e, true);
    if (eq >= e || text.charCodeAt(eq) !== EQUALS)
      throw new LineError(`tag key ${snippet(unescapeKey(text.slice(k, eq), false))} has no "=value"`);
    if (eq === k) throw new LineError('a tag has an empty key');
    const v = eq + 1;
    i = scanTo(text, v, e, true);
    if (i < e && text.charCodeAt(i) === EQUALS)
      throw new LineError(`tag ${snippet(unescapeKey(text.slice(k, eq), false))} has an unescaped "=" in its value`);
    if (i === v) throw new LineError(`tag ${snippet(unescapeKey(text.slice(k, eq), false))} has an empty value`);
    // Past the limit the tags are still read (the refusal says how many there are), not kept.
    if (tagCount < MAX_TAGS_PER_LINE) {
      const at = tagCount * 4;
      tagPos[at] = k;
      tagPos[at + 1] = eq;
      tagPos[at + 2] = v;
      tagPos[at + 3] = i;
    }
    tagCount++;
  }
  if (tagCount > MAX_TAGS_PER_LINE)
    throw new LineError(
      `${tagCount.toLocaleString('en-US')} tags, more than the ${MAX_TAGS_PER_LINE} one line may hold ` +
        '(a tag set names a series: keep it to the keys that tell series apart)',
    );
  const seriesEnd = i;
  if (i >= e) throw new LineError('no fields (a line needs "measurement field=value")');
  while (i < e && text.charCodeAt(i) === SPACE) i++;
  // Fields.
  fieldCount = 0;
  for (;;) {
    const k = i;
    const eq = scanTo(text, k, e, true);
    if (eq >= e || text.charCodeAt(eq) !== EQUALS) {
      if (eq === k) throw new LineError('no fields (a line needs "measurement field=value")');
      throw new LineError(`field ${snippet(unescapeKey(text.slice(k, eq), false))} has no "=value"`);
    }
    if (eq === k) throw new LineError('a field has an empty key');
    let v = eq + 1;
    let value: number | boolean | string;
    if (v < e && text.charCodeAt(v) === QUOTE) {
      let j = v + 1;
      let escaped = false;
      while (j < e) {
        const c = text.charCodeAt(j);
        if (c === BACKSLASH) {
          escaped = true;
          j += 2;
          continue;
        }
        if (c === QUOTE) break;
        j++;
      }
      if (j >= e)
        throw new LineError(`field ${snippet(unescapeKey(text.slice(k, eq), false))}: its string value has no closing quote on this line`);
      const raw = text.slice(v + 1, j);
      value = escaped ? raw.replace(/\\(["\\])/g, '$1') : raw;
      if (value.length > MAX_STRING_CHARS)
        throw new LineError(
          `field ${snippet(unescapeKey(text.slice(k, eq), false))}: its string value has ${value.length.toLocaleString('en-US')} characters, ` +
            `more than the ${MAX_STRING_CHARS.toLocaleString('en-US')} a text value may hold`,
        );
      v = j + 1;
      if (v < e && text.charCodeAt(v) !== COMMA && text.charCodeAt(v) !== SPACE)
        throw new LineError(`field ${snippet(unescapeKey(text.slice(k, eq), false))}: text after its closing quote`);
    } else {
      let j = v;
      while (j < e) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === SPACE) break;
        j++;
      }
      if (j === v) throw new LineError(`field ${snippet(unescapeKey(text.slice(k, eq), false))} has no value`);
      value = parseNumber(text, v, j, k, eq);
      v = j;
    }
    // Past the limit the fields are still read (the refusal says how many there are), not kept.
    if (fieldCount < MAX_FIELDS) {
      fieldKeyStart[fieldCount] = k;
      fieldKeyEnd[fieldCount] = eq;
      fieldValue[fieldCount] = value;
    }
    fieldCount++;
    i = v;
    if (i < e && text.charCodeAt(i) === COMMA) {
      i++;
      continue;
    }
    break;
  }
  if (fieldCount > MAX_FIELDS)
    throw new LineError(
      `${fieldCount.toLocaleString('en-US')} fields, more than the ${MAX_FIELDS.toLocaleString('en-US')} one line may hold ` +
        '(send the others on further lines with the same measurement, tags and timestamp)',
    );
  // Timestamp, or the time of receipt.
  while (i < e && text.charCodeAt(i) === SPACE) i++;
  let te = e;
  while (te > i && text.charCodeAt(te - 1) === SPACE) te--;
  const ts = i < te ? parseTimestamp(text, i, te, precision) : now;
  // Each field's tag; any field without one refuses the line.
  cur.text = text;
  cur.s = s;
  cur.e = e;
  const count = fieldCount;
  for (let f = 0; f < count; f++) {
    // The series and field as written: the first field's key is one slice of the line.
    const key =
      f === 0 ? text.slice(s, fieldKeyEnd[0]) : `${text.slice(s, seriesEnd)} ${text.slice(fieldKeyStart[f] as number, fieldKeyEnd[f])}`;
    const target = sink.resolve(key, decodeField, f);
    if (typeof target === 'string') throw new LineError(target);
    const value = fieldValue[f] as number | boolean | string;
    if (typeof value === 'string' && !target.text)
      throw new LineError(
        `field ${snippet(decodeField(f).field)} is a string, and ${target.name} is a ${target.type} tag: only a text tag (type: string) stores string fields`,
      );
    targets[f] = target;
  }
  const refused = sink.accept(ts);
  if (refused) throw new LineError(refused);
  for (let f = 0; f < count; f++) sink.push((targets[f] as LineTarget).id, fieldValue[f] as number | boolean | string, ts);
}

/** The console tag name a rule's template gives a field, or why it gives none. */
export function applyTemplate(parts: readonly TemplatePart[], ref: FieldRef): string | { missingTag: string } {
  let out = '';
  for (const p of parts) {
    if ('text' in p) out += p.text;
    else if ('measurement' in p) out += ref.measurement;
    else if ('field' in p) out += ref.field;
    else {
      const v = ref.tags[p.tag];
      if (v === undefined) return { missingTag: p.tag };
      out += v;
    }
  }
  return out;
}
