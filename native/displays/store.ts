// The display files of a site: `displays/<id>.json` beside the site file, read on each request so
// that a file changed on disk is seen without a restart (they are small and few: DISPLAY_LIMITS).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ApiFailure } from '../api/registry.js';
import { describeError } from '../util/errors.js';
import { DISPLAY_LIMITS, type DisplayDocument, parseDisplay } from './schema.js';

export interface DisplayFiles {
  list(): { displays: DisplayDocument[]; problems: string[] };
  get(id: string): DisplayDocument;
}

/** The displays in `dir`; a file whose name is not its document's id is refused (one id, one file). */
export function displayFiles(dir: string): DisplayFiles {
  const read = (file: string): { display?: DisplayDocument; problems: string[] } => {
    const shown = path.join('displays', path.basename(file));
    let text: string;
    try {
      if (statSync(file).size > DISPLAY_LIMITS.fileBytes) return { problems: [`${shown}: larger than ${DISPLAY_LIMITS.fileBytes} bytes`] };
      text = readFileSync(file, 'utf8');
    } catch (err) {
      return { problems: [`${shown}: cannot be read: ${describeError(err)}`] };
    }
    const r = parseDisplay(text, shown);
    if (!r.ok) return { problems: r.problems };
    const expected = path.basename(file, '.json');
    if (r.display.id !== expected)
      return { problems: [`${shown}:1: id: the document's id "${r.display.id}" is not its file name "${expected}"`] };
    return { display: r.display, problems: [] };
  };
  const files = (): string[] => {
    if (!existsSync(dir)) return [];
    const names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
    return names.map((n) => path.join(dir, n));
  };
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

/** The demo ships its displays: copied beside the data dir's demo site file on first start, like the site file. */
export function copyShippedDisplays(from: string, to: string): void {
  if (existsSync(to) || !existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const n of readdirSync(from).filter((n) => n.endsWith('.json'))) copyFileSync(path.join(from, n), path.join(to, n));
}
