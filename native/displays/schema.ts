// The display document: a plain, diffable JSON file of symbols placed on a canvas, each bound to
// tags by path. One schema, checked where a file enters (disk); a problem is answered as a sentence
// with the file and line, never as raw validator output.
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';

export const DISPLAY_LIMITS = {
  /** Elements one display may hold. */
  elements: 5000,
  /** Bytes of one display file. */
  fileBytes: 4_000_000,
  /** Canvas size in either direction (display units). */
  canvas: 20_000,
  /** Displays one site may hold. */
  displays: 500,
} as const;

export const SYMBOL_KINDS = ['pump', 'valve', 'tank', 'line', 'value', 'alarm', 'text', 'button'] as const;
export type SymbolKind = (typeof SYMBOL_KINDS)[number];

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'an id is 1–64 lower-case letters, digits and dashes, starting with a letter or digit');
const elementId = z.string().regex(/^[A-Za-z0-9][\w-]{0,63}$/, 'an element id is 1–64 letters, digits, _ and -');
const tagPath = z
  .string()
  .max(512)
  .regex(/^[^/\s][^/]*(\/[^/]+){1,}$/, 'a tag path is Site/Area/Machine/Tag');
const coord = z.number().finite().min(-DISPLAY_LIMITS.canvas).max(DISPLAY_LIMITS.canvas);
const extent = z.number().finite().min(0).max(DISPLAY_LIMITS.canvas);

export const elementSchema = z
  .object({
    id: elementId,
    kind: z.enum(SYMBOL_KINDS, { message: `a symbol kind is one of ${SYMBOL_KINDS.join(', ')}` }),
    x: coord,
    y: coord,
    w: extent,
    h: extent,
    rotation: z.number().finite().min(-360).max(360).optional(),
    label: z.string().max(200).optional(),
    /** Tag paths: value shown, running/open state, alarm (true = in alarm), command (written from a faceplate). */
    bind: z
      .object({ value: tagPath.optional(), state: tagPath.optional(), alarm: tagPath.optional(), command: tagPath.optional() })
      .strict()
      .default({}),
    /** Per-kind details: a button's `display` or `machine`, a value's `decimals`, a tank's `max`… */
    props: z.record(z.string().max(64), z.union([z.string().max(500), z.number().finite(), z.boolean()])).default({}),
  })
  .strict();

export const displaySchema = z
  .object({
    id,
    title: z.string().min(1).max(200),
    /** The display one level up (breadcrumbs: overview → area → unit). */
    parent: id.optional(),
    size: z.object({ w: extent.min(1), h: extent.min(1) }).strict(),
    elements: z.array(elementSchema).max(DISPLAY_LIMITS.elements),
  })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    d.elements.forEach((e, i) => {
      if (seen.has(e.id)) ctx.addIssue({ code: 'custom', path: ['elements', i, 'id'], message: `element id "${e.id}" is used twice` });
      seen.add(e.id);
    });
  });

export type DisplayElement = z.output<typeof elementSchema>;
export type DisplayDocument = z.output<typeof displaySchema>;

/** A document, or the sentences that say what is wrong with it (file:line: field: problem). */
export type Parsed = { ok: true; display: DisplayDocument } | { ok: false; problems: string[] };

/** Parse and validate one display file's text; `file` names it in the messages. */
export function parseDisplay(text: string, file: string): Parsed {
  if (Buffer.byteLength(text) > DISPLAY_LIMITS.fileBytes)
    return { ok: false, problems: [`${file}: larger than ${DISPLAY_LIMITS.fileBytes} bytes`] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // V8 names the position of most syntax errors ("… in JSON at position 11"): turned into a line.
    const message = (err as Error).message;
    const m = / in JSON at position (\d+)/.exec(message);
    const at = m ? `:${lineOf(text, Number(m[1]))}` : '';
    return { ok: false, problems: [`${file}${at}: not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`] };
  }
  const r = displaySchema.safeParse(json);
  if (r.success) return { ok: true, display: r.data };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return {
    ok: false,
    problems: r.error.issues.map((i) => `${file}:${lineAt(doc, lines, i.path)}: ${fieldName(i.path)}: ${i.message}`),
  };
}

function lineOf(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The line of the deepest node of the path that exists in the text (a missing field: its parent). */
function lineAt(doc: Document, lines: LineCounter, at: readonly PropertyKey[]): number {
  for (let n = at.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(at.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}

function fieldName(at: readonly PropertyKey[]): string {
  if (at.length === 0) return 'the display';
  return at.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** Every tag path a display binds (to check them against the site's tags). */
export function boundPaths(d: DisplayDocument): string[] {
  return [...new Set(d.elements.flatMap((e) => Object.values(e.bind).filter((p): p is string => typeof p === 'string')))];
}
