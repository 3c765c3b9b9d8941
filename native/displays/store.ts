// The display files of a site: `displays/<id>.json` beside the site file, read on each request so
// that a file changed on disk is seen without a restart (they are small and few: DISPLAY_LIMITS).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ApiFailure } from '../api/registry.js';
import { describeError } from '../util/errors.js';
import { DISPLAY_LIMITS, type DisplayDocument, type DisplayTemplate, parseDisplay, parseTemplate } from './schema.js';

export interface DisplayFiles {
  list(): { displays: DisplayDocument[]; problems: string[] };
  get(id: string): DisplayDocument;
}

/** One file's text checked by `parse`; `shown` names it in the messages; its id must be its file name. */
function readChecked<T extends { id: string }>(
  file: string,
  shown: string,
  parse: (text: string, shown: string) => { ok: true; value: T } | { ok: false; problems: string[] },
): { value?: T; problems: string[] } {
  let text: string;
  try {
    if (statSync(file).size > DISPLAY_LIMITS.fileBytes) return { problems: [`${shown}: larger than ${DISPLAY_LIMITS.fileBytes} bytes`] };
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { problems: [`${shown}: cannot be read: ${describeError(err)}`] };
  }
  const r = parse(text, shown);
  if (!r.ok) return { problems: r.problems };
  const expected = path.basename(file, '.json');
  if (r.value.id !== expected)
    return { problems: [`${shown}:1: id: the document's id "${r.value.id}" is not its file name "${expected}"`] };
  return { value: r.value, problems: [] };
}

const jsonFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .sort()
        .map((n) => path.join(dir, n))
    : [];

/** The display templates in `dir` (displays/templates/), each file one template named by its id; read on each call. */
export function templateFiles(dir: string): () => { templates: DisplayTemplate[]; problems: string[] } {
  return () => {
    const templates: DisplayTemplate[] = [];
    const problems: string[] = [];
    const all = jsonFiles(dir);
    const max = DISPLAY_LIMITS.templates;
    if (all.length > max)
      problems.push(
        `displays/templates/: ${all.length} files, more than the ${max} a site may hold; only the first ${max} by name are read`,
      );
    for (const f of all.slice(0, max)) {
      const r = readChecked(f, `displays/templates/${path.basename(f)}`, (text, shown) => {
        const p = parseTemplate(text, shown);
        return p.ok ? { ok: true, value: p.template } : p;
      });
      if (r.value) templates.push(r.value);
      problems.push(...r.problems);
    }
    return { templates, problems };
  };
}

/** The displays in `dir`; a file whose name is not its document's id is refused (one id, one file). */
export function displayFiles(dir: string): DisplayFiles {
  const read = (file: string): { display?: DisplayDocument; problems: string[] } => {
    const r = readChecked(file, path.join('displays', path.basename(file)), (text, shown) => {
      const p = parseDisplay(text, shown);
      return p.ok ? { ok: true, value: p.display } : p;
    });
    return { display: r.value, problems: r.problems };
  };
  const files = () => jsonFiles(dir);
  return {
    list() {
      const displays: DisplayDocument[] = [];
      const problems: string[] = [];
      const all = files();
      const max = DISPLAY_LIMITS.displays;
      if (all.length > max)
        problems.push(`displays/: ${all.length} files, more than the ${max} a site may hold; only the first ${max} by name are read`);
      for (const f of all.slice(0, max)) {
        const r = read(f);
        if (r.display) displays.push(r.display);
        problems.push(...r.problems);
      }
      return { displays, problems };
    },
    get(id) {
      const file = path.join(dir, `${id}.json`);
      if (!existsSync(file))
        throw new ApiFailure('not_found', `there is no display "${id}" (no file displays/${id}.json beside the site file)`);
      const r = read(file);
      if (!r.display) throw new ApiFailure('unavailable', `display "${id}" is refused: ${r.problems.join('; ')}`);
      return r.display;
    },
  };
}

/** The demo ships its displays and display templates: copied beside the data dir's demo site file on first start, like the site file. */
export function copyShippedDisplays(from: string, to: string): void {
  if (existsSync(to) || !existsSync(from)) return;
  for (const sub of ['', 'templates']) {
    if (!existsSync(path.join(from, sub))) continue;
    mkdirSync(path.join(to, sub), { recursive: true });
    for (const n of readdirSync(path.join(from, sub)).filter((n) => n.endsWith('.json')))
      copyFileSync(path.join(from, sub, n), path.join(to, sub, n));
  }
}
