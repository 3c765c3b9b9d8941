// The display files of a site: `displays/<id>.json` beside the site file. Each request looks at the
// files on disk (a file changed, added or deleted there is seen without a restart); a file is read
// and checked again only when it changed, its parsed document kept until then (DISPLAY_LIMITS bound
// how many).
import { constants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApiFailure } from '../api/registry.js';
import { describeError } from '../util/errors.js';
import { ByFileStamp, type FileStamp } from '../util/file-stamp.js';
import { DISPLAY_LIMITS, type DisplayDocument, type DisplayTemplate, parseDisplay, parseTemplate } from './schema.js';

export interface DisplayFiles {
  list(): { displays: DisplayDocument[]; problems: string[] };
  get(id: string): DisplayDocument;
}

/** Reads a file's text (the stores take one, so that a test can count the reads). */
export type ReadText = (file: string) => string;
const readText: ReadText = (file) => readFileSync(file, 'utf8');

type Checked<T> = { value?: T; problems: string[] };

/**
 * The files of one folder checked by `parse` (`shown` names a file in the messages; a document's id
 * must be its file name). A file's result is kept while the file is unchanged on disk
 * (util/file-stamp.ts): only a new or changed file is read and checked again (parse re-checks a
 * drawing's SVG, schema.ts), so an edit on disk is seen on the next request without re-reading the others.
 */
function checkedFiles<T extends { id: string }>(
  read: ReadText,
  parse: (text: string, shown: string) => { ok: true; value: T } | { ok: false; problems: string[] },
) {
  const kept = new ByFileStamp<Checked<T>>();
  return {
    check(file: string, shown: string): Checked<T> {
      const derive = (at: FileStamp): Checked<T> => {
        if (at.size > BigInt(DISPLAY_LIMITS.fileBytes)) return { problems: [`${shown}: larger than ${DISPLAY_LIMITS.fileBytes} bytes`] };
        // A file that cannot be read throws: nothing is kept, and it is tried again on the next request.
        const r = parse(read(file), shown);
        const expected = path.basename(file, '.json');
        if (!r.ok) return { problems: r.problems };
        if (r.value.id !== expected)
          return { problems: [`${shown}:1: id: the document's id "${r.value.id}" is not its file name "${expected}"`] };
        return { value: r.value, problems: [] };
      };
      try {
        return kept.through(file, derive) ?? { problems: [`${shown}: cannot be read: the file is gone`] };
      } catch (err) {
        return { problems: [`${shown}: cannot be read: ${describeError(err)}`] };
      }
    },
    /** Forgets the files not in `files` (deleted since). */
    only(files: readonly string[]) {
      const listed = new Set(files);
      kept.retain((f) => listed.has(f));
    },
  };
}

const jsonFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .sort()
        .map((n) => path.join(dir, n))
    : [];

/** The display templates in `dir` (displays/templates/), each file one template named by its id; a file is read again when it changed. */
export function templateFiles(dir: string, read: ReadText = readText): () => { templates: DisplayTemplate[]; problems: string[] } {
  const checked = checkedFiles<DisplayTemplate>(read, (text, shown) => {
    const p = parseTemplate(text, shown);
    return p.ok ? { ok: true, value: p.template } : p;
  });
  return () => {
    const templates: DisplayTemplate[] = [];
    const problems: string[] = [];
    const all = jsonFiles(dir);
    const max = DISPLAY_LIMITS.templates;
    if (all.length > max)
      problems.push(
        `displays/templates/: ${all.length} files, more than the ${max} a site may hold; only the first ${max} by name are read`,
      );
    checked.only(all.slice(0, max));
    for (const f of all.slice(0, max)) {
      const r = checked.check(f, `displays/templates/${path.basename(f)}`);
      if (r.value) templates.push(r.value);
      problems.push(...r.problems);
    }
    return { templates, problems };
  };
}

/** The displays in `dir`; a file whose name is not its document's id is refused (one id, one file); a file is read again when it changed. */
export function displayFiles(dir: string, readFile: ReadText = readText): DisplayFiles {
  const checked = checkedFiles<DisplayDocument>(readFile, (text, shown) => {
    const p = parseDisplay(text, shown);
    return p.ok ? { ok: true, value: p.display } : p;
  });
  const read = (file: string): { display?: DisplayDocument; problems: string[] } => {
    const r = checked.check(file, path.join('displays', path.basename(file)));
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
      checked.only(all.slice(0, max));
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

/** Where the shipped files a data dir was given are listed (no `.json`: never read as a display). */
export const SHIPPED_RECORD = '.shipped';
const shippedName = /^(templates\/)?[a-z0-9][a-z0-9-]{0,63}\.json$/;

/**
 * The demo ships its displays and display templates: copied beside the data dir's demo site file.
 * On each start a shipped file is copied when the data dir was never given it (so a data dir made by
 * an older version receives the displays shipped since) and no file of its name is there; an existing
 * file is never overwritten. What was given is listed in `displays/.shipped`, so a shipped display an
 * engineer deleted (or a rollback removed) is not brought back. A data dir made before the list
 * existed is given the shipped files it lacks once, then listed. Answers the files copied
 * (`pump-station.json`, `templates/boiler.json`).
 */
export function copyShippedDisplays(from: string, to: string): string[] {
  if (!existsSync(from)) return [];
  const record = path.join(to, SHIPPED_RECORD);
  const listed = existsSync(record)
    ? readFileSync(record, 'utf8')
        .split('\n')
        .filter((l) => shippedName.test(l))
    : [];
  const given = new Set(listed);
  const copied: string[] = [];
  for (const sub of ['', 'templates']) {
    const src = path.join(from, sub);
    if (!existsSync(src)) continue;
    for (const n of readdirSync(src)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      const name = sub ? `${sub}/${n}` : n;
      if (given.has(name)) continue;
      given.add(name);
      const dest = path.join(to, sub, n);
      if (existsSync(dest)) continue;
      mkdirSync(path.join(to, sub), { recursive: true });
      copyFileSync(path.join(src, n), dest, constants.COPYFILE_EXCL);
      copied.push(name);
    }
  }
  if (given.size !== listed.length || !existsSync(record)) {
    mkdirSync(to, { recursive: true });
    const tmp = `${record}.tmp-${process.pid}`;
    writeFileSync(tmp, `${[...given].sort().join('\n')}\n`);
    renameSync(tmp, record);
  }
  return copied;
}
