// The display document: a plain, diffable JSON file of symbols placed on a canvas, each bound to
// tags by path. One schema, checked where a file enters (disk); a problem is answered as a sentence
// with the file and line, never as raw validator output.
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { DISPLAY_SYMBOL_KINDS, type FaceplateInfo } from '../api/display-requests.js';
import { isCleanSvg, SVG_LIMITS } from './svg.js';

export const DISPLAY_LIMITS = {
  /** Elements one display may hold. */
  elements: 5000,
  /** Bytes of one display file. */
  fileBytes: 4_000_000,
  /** Canvas size in either direction (display units). */
  canvas: 20_000,
  /** Displays one site may hold. */
  displays: 500,
  /** Display templates one site may hold. */
  templates: 200,
  /** Elements of one template's section. */
  sectionElements: 500,
  /** Tags a faceplate lists in each of its groups. */
  faceplateTags: 12,
} as const;

export const SYMBOL_KINDS = DISPLAY_SYMBOL_KINDS;
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

const elementObject = z
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
    /** A drawing's SVG markup (an imported SVG made safe by native/displays/svg.ts; checked again when read). */
    svg: z
      .string()
      .max(SVG_LIMITS.chars * 2)
      .optional(),
  })
  .strict();

/** A section (an instance of a display template) names its template and its machine. */
export const elementSchema = elementObject.superRefine((e, ctx) => {
  if (e.kind !== 'section') return;
  for (const key of ['template', 'machine'] as const)
    if (typeof e.props[key] !== 'string' || e.props[key] === '')
      ctx.addIssue({
        code: 'custom',
        path: ['props', key],
        message: `a section names its ${key === 'template' ? 'display template (props.template)' : 'machine (props.machine, Site/Area/Machine)'}`,
      });
});

/**
 * An imported SVG drawing (kind `drawing`) holds its markup in `svg` and its viewBox in
 * props.viewBox; it must be what the SVG import makes of it (a hand-edited file with a script, an
 * event handler or an external reference is refused). A `part` binds one element of a drawing by its
 * id: props.drawing names the drawing element, props.ref the id inside it.
 */
function drawingChecks(e: z.output<typeof elementObject>, ctx: z.RefinementCtx): void {
  if (e.kind === 'drawing') {
    const viewBox = e.props.viewBox;
    if (typeof viewBox !== 'string' || viewBox === '')
      ctx.addIssue({ code: 'custom', path: ['props', 'viewBox'], message: "a drawing names its SVG's viewBox (props.viewBox)" });
    if (e.svg === undefined) ctx.addIssue({ code: 'custom', path: ['svg'], message: "a drawing holds its SVG's markup (svg)" });
    else if (typeof viewBox === 'string' && !isCleanSvg(e.svg, viewBox))
      ctx.addIssue({
        code: 'custom',
        path: ['svg'],
        message:
          'the drawing is not as the SVG import makes it safe (it may hold a script, an event handler or an external reference): import the SVG again',
      });
  } else if (e.svg !== undefined) ctx.addIssue({ code: 'custom', path: ['svg'], message: 'only a drawing holds SVG markup' });
  if (e.kind === 'part')
    for (const key of ['drawing', 'ref'] as const)
      if (typeof e.props[key] !== 'string' || e.props[key] === '')
        ctx.addIssue({
          code: 'custom',
          path: ['props', key],
          message: `a part names ${key === 'drawing' ? 'its drawing element (props.drawing)' : 'the id of the drawing element it binds (props.ref)'}`,
        });
}

/** Each part names a drawing of the display that has an element with its id. */
function partsRefer(elements: readonly DisplayElement[], ctx: z.RefinementCtx): void {
  const drawings = new Map(elements.filter((e) => e.kind === 'drawing').map((e) => [e.id, e.svg ?? '']));
  elements.forEach((e, i) => {
    if (e.kind !== 'part' || typeof e.props.drawing !== 'string' || typeof e.props.ref !== 'string') return;
    const svg = drawings.get(e.props.drawing);
    if (svg === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['elements', i, 'props', 'drawing'],
        message: `there is no drawing "${e.props.drawing}" in this display`,
      });
    else if (!svg.includes(` id="${e.props.ref}"`))
      ctx.addIssue({
        code: 'custom',
        path: ['elements', i, 'props', 'ref'],
        message: `drawing "${e.props.drawing}" has no element with id "${e.props.ref}"`,
      });
  });
}

export const displaySchema = z
  .object({
    id,
    title: z.string().min(1).max(200),
    /** The display one level up (breadcrumbs: overview → area → unit). */
    parent: id.optional(),
    size: z.object({ w: extent.min(1), h: extent.min(1) }).strict(),
    elements: z.array(elementSchema.superRefine(drawingChecks)).max(DISPLAY_LIMITS.elements),
  })
  .strict()
  .superRefine((d, ctx) => uniqueIds(d.elements, ['elements'], ctx))
  .superRefine((d, ctx) => partsRefer(d.elements, ctx));

function uniqueIds(elements: readonly { id: string }[], at: (string | number)[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  elements.forEach((e, i) => {
    if (seen.has(e.id)) ctx.addIssue({ code: 'custom', path: [...at, i, 'id'], message: `element id "${e.id}" is used twice` });
    seen.add(e.id);
  });
}

// ── Display templates: a faceplate and/or a display section defined once for a machine template
// (the site file's `templates`, e.g. CentrifugalPump) or a machine kind, instantiated for each
// machine made from it. In a template, tag paths start with `{machine}/` and `{machine}` / `{name}`
// in labels and text props stand for the machine's path and its own name.
const MACHINE = '{machine}';
const tagName = z.string().regex(/^[^/\s{}][^/{}]{0,127}$/, 'a tag name of the machine, without its path (e.g. Flow)');
const tagNames = z.array(tagName).max(DISPLAY_LIMITS.faceplateTags).default([]);

export const templateSchema = z
  .object({
    id,
    title: z.string().min(1).max(200),
    /** The site file's machine template it is for (e.g. CentrifugalPump). */
    machineTemplate: z.string().min(1).max(64).optional(),
    /** Or a machine kind: for machines of that kind that no template of this kind covers by name. */
    machineKind: z.enum(['pump', 'compressor', 'boiler', 'generic']).optional(),
    faceplate: z
      .object({ keyTags: tagNames, mode: tagName.optional(), commands: tagNames, setpoints: tagNames, trend: tagNames })
      .strict()
      .optional(),
    section: z
      .object({
        size: z.object({ w: extent.min(1), h: extent.min(1) }).strict(),
        elements: z.array(elementObject).max(DISPLAY_LIMITS.sectionElements),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (!t.machineTemplate && !t.machineKind)
      ctx.addIssue({ code: 'custom', path: [], message: 'a display template names the machineTemplate or the machineKind it is for' });
    if (!t.faceplate && !t.section)
      ctx.addIssue({ code: 'custom', path: [], message: 'a display template defines a faceplate, a section or both' });
    if (!t.section) return;
    uniqueIds(t.section.elements, ['section', 'elements'], ctx);
    t.section.elements.forEach((e, i) => {
      if (e.kind === 'section')
        ctx.addIssue({ code: 'custom', path: ['section', 'elements', i, 'kind'], message: 'a section cannot hold another section' });
      for (const [key, p] of Object.entries(e.bind))
        if (typeof p === 'string' && !p.startsWith(`${MACHINE}/`))
          ctx.addIssue({
            code: 'custom',
            path: ['section', 'elements', i, 'bind', key],
            message: `a template binds the tags of its machine: write ${MACHINE}/<tag> (not "${p}")`,
          });
    });
  });

export type DisplayTemplate = z.output<typeof templateSchema>;

export type DisplayElement = z.output<typeof elementSchema>;
export type DisplayDocument = z.output<typeof displaySchema>;

/** A document, or the sentences that say what is wrong with it (file:line: field: problem). */
export type Parsed = { ok: true; display: DisplayDocument } | { ok: false; problems: string[] };

/** Parse and validate one display file's text; `file` names it in the messages. */
export function parseDisplay(text: string, file: string): Parsed {
  const r = parseChecked(text, file, displaySchema);
  return r.ok ? { ok: true, display: r.value } : r;
}

/** A display template, or the sentences that say what is wrong with it. */
export type ParsedTemplate = { ok: true; template: DisplayTemplate } | { ok: false; problems: string[] };

/** Parse and validate one display template file's text (displays/templates/<id>.json). */
export function parseTemplate(text: string, file: string): ParsedTemplate {
  const r = parseChecked(text, file, templateSchema);
  return r.ok ? { ok: true, template: r.value } : r;
}

function parseChecked<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
): { ok: true; value: z.output<S> } | { ok: false; problems: string[] } {
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
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
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
  if (at.length === 0) return 'the document';
  return at.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** Every tag path a display (or its expanded elements) binds (to check them against the site's tags). */
export function boundPaths(d: { elements: readonly DisplayElement[] }): string[] {
  return [...new Set(d.elements.flatMap((e) => Object.values(e.bind).filter((p): p is string => typeof p === 'string')))];
}

/** Every machine a display names (a faceplate's, a section's or a link's `props.machine`). */
export function namedMachines(elements: readonly DisplayElement[]): string[] {
  return [...new Set(elements.map((e) => e.props.machine).filter((m): m is string => typeof m === 'string' && m !== ''))];
}

/** What a display template needs to know of a machine: its path and the site file's template it is made from. */
export interface MachineRef {
  name: string;
  kind: string;
  /** The site file's machine template, when the machine is made from one. */
  template?: string;
}

/** The template for a machine: one for its machine template by name first, else one for its kind. */
export function templateFor(
  machine: MachineRef,
  templates: readonly DisplayTemplate[],
  part: 'faceplate' | 'section',
): DisplayTemplate | undefined {
  const has = (t: DisplayTemplate) => (part === 'faceplate' ? !!t.faceplate : !!t.section);
  return (
    templates.find((t) => has(t) && machine.template !== undefined && t.machineTemplate === machine.template) ??
    templates.find((t) => has(t) && !t.machineTemplate && t.machineKind === machine.kind)
  );
}

/** A machine's faceplate from its template, with full tag paths. */
export function faceplateOf(machine: MachineRef, templates: readonly DisplayTemplate[]): FaceplateInfo | undefined {
  const t = templateFor(machine, templates, 'faceplate');
  const f = t?.faceplate;
  if (!t || !f) return undefined;
  const full = (names: readonly string[]) => names.map((n) => `${machine.name}/${n}`);
  return {
    template: t.id,
    keyTags: full(f.keyTags),
    ...(f.mode ? { mode: `${machine.name}/${f.mode}` } : {}),
    commands: full(f.commands),
    setpoints: full(f.setpoints),
    trend: full(f.trend),
  };
}

/**
 * The elements as shown: each section replaced by its template's elements for its machine, placed
 * at the section's x, y (ids `<section id>-<element id>`), `{machine}` and `{name}` filled in. A
 * section whose template or machine is unknown is left out and said in `problems`.
 */
export function expandSections(
  d: DisplayDocument,
  templates: readonly DisplayTemplate[],
  machines: readonly MachineRef[],
): { elements: DisplayElement[]; problems: string[] } {
  const problems: string[] = [];
  const elements: DisplayElement[] = [];
  for (const e of d.elements) {
    if (e.kind !== 'section') {
      elements.push(e);
      continue;
    }
    const templateId = String(e.props.template);
    const machinePath = String(e.props.machine);
    const t = templates.find((x) => x.id === templateId);
    const machine = machines.find((m) => m.name === machinePath);
    if (!t?.section) {
      problems.push(
        `section "${e.id}": there is no display template "${templateId}" with a section (displays/templates/${templateId}.json)`,
      );
      continue;
    }
    if (!machine) {
      problems.push(`section "${e.id}": the site has no machine "${machinePath}" (write Site/Area/Machine)`);
      continue;
    }
    const short = machinePath.split('/').pop() ?? machinePath;
    const fill = (text: string) => text.replaceAll(MACHINE, machinePath).replaceAll('{name}', short);
    for (const s of t.section.elements) {
      elements.push({
        ...s,
        id: `${e.id}-${s.id}`.slice(0, 64),
        x: e.x + s.x,
        y: e.y + s.y,
        ...(s.label !== undefined ? { label: fill(s.label) } : {}),
        bind: Object.fromEntries(Object.entries(s.bind).map(([k, p]) => [k, typeof p === 'string' ? fill(p) : p])),
        props: Object.fromEntries(Object.entries(s.props).map(([k, v]) => [k, typeof v === 'string' ? fill(v) : v])),
      });
    }
  }
  return { elements, problems };
}
