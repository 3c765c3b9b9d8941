// Live, versioned configuration: a proposed site-file text is validated by the one validator,
// compared with the version in force, written back to the site file as given (the engineer's
// comments and layout kept), recorded as a numbered version, and handed to each running capability
// (`reconfigure`), which applies its section in place or says it must restart. Applies run one at a
// time; one made on a version that is no longer in force is refused, naming the version that came
// first — never merged.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigApplied, ConfigApplyResult, ConfigIssueInfo } from '../api/config-requests.js';
import { ApiFailure } from '../api/registry.js';
import type { TagInfo } from '../api/types.js';
import type { Capabilities, OpenCapability, SiteInfo } from '../capability.js';
import type { DisplaySnapshot } from '../displays/save.js';
import type { DriverTag } from '../drivers/driver.js';
import type { TagBus } from '../tags/bus.js';
import { describeError } from '../util/errors.js';
import { ByFileStamp } from '../util/file-stamp.js';
import { recordedSnapshot, recordTemplatesOnDisk } from './config-snapshot.js';
import { diffSites, type Renames, type SiteDiff } from './diff.js';
import { writeSiteText } from './editor.js';
import type { ConfigIssue } from './issues.js';
import type { Path, SiteModel } from './model.js';
import { validateSiteText } from './validate.js';
import type { ConfigVersionWithText, VersionStore } from './versions.js';

/** What the running core offers live configuration. */
export interface LiveTargets {
  bus: TagBus;
  /** Each capability's section of a model, in core.ts's order (null: this site does not run it), and how it opens. */
  sections(m: SiteModel): { name: string; section: unknown; open?: OpenCapability<unknown> }[];
  /** The tag table a model asks for: its tags, then its models' derived tags (site/bus.ts siteTags). */
  tagsOf(m: SiteModel): TagInfo[];
  /** The running capabilities: each is handed its next section; the historian renames kept series. */
  running: Pick<Capabilities, 'reconfigure' | 'face' | 'restartAlone'>;
  /** The site facts every capability is given (ctx.site): changed in place by an apply. */
  site: SiteInfo;
}

/**
 * The capabilities that read site facts when they open (ctx.site, or the tag table: names resolved
 * to ids once), and which: when those change and their own section did not, the core restarts
 * them alone so they open on the new facts.
 */
const SITE_READERS: Readonly<Record<string, readonly ('name' | 'timeZone' | 'machines' | 'tags')[]>> = {
  maintenance: ['name', 'machines'],
  esg: ['timeZone'],
  // The models' inputs are found by name when inference opens.
  inference: ['tags'],
  // The uplink's raw selection and its hourly aggregates list the tags when it opens.
  sync: ['name', 'tags'],
};

export const issueInfo = (i: ConfigIssue): ConfigIssueInfo => ({
  line: i.line,
  column: i.column,
  field: i.field,
  message: i.message,
  text: `${i.line}:${i.column} ${i.field || '(file)'}: ${i.message}`,
});

const json = (v: unknown) => JSON.stringify(v ?? null);

/** What an apply is given: the text, the version it was made on, and who and why. */
interface Applying {
  text: string;
  baseVersion: number;
  comment: string;
  renames: Renames;
  author: string | null;
  /** Every display's and template's text (config-snapshot.ts), recorded with the version; absent: those of the version before, templates as on disk. */
  displays?: Readonly<Record<string, string>>;
  /**
   * The model `check` made of this very text in the same request (config.importTags, config.import:
   * checked, then applied), so that it is not validated again. Never kept across requests: a text's
   * validity also depends on the files it names (TLS certificates), which may change meanwhile.
   */
  checked?: SiteModel;
}

/** Parsed versions kept for diffs: the version in force and the two a diff between versions compares. */
const PARSED_KEPT = 3;

export class LiveConfig {
  /** Applies run one after another: the second of two at once sees the first's version. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** The model in force: changed in place by an apply (every holder of it sees the new one). */
    readonly model: SiteModel,
    private readonly targets: LiveTargets,
    readonly versions: VersionStore,
  ) {}

  /** The process displays' folder beside the site file (docs/displays.md); its templates in templates/. */
  get displaysDir(): string {
    return path.join(path.dirname(this.model.file), 'displays');
  }

  /** The displays and templates recorded with `version` (config-snapshot.ts recordedSnapshot). */
  recorded(version: number): DisplaySnapshot {
    return recordedSnapshot(this.versions, version, this.displaysDir);
  }

  /** The version the site file was found to be, kept while its stamp is unchanged (util/file-stamp.ts). */
  private readonly seen = new ByFileStamp<number>();

  /**
   * The version in force (the site file's text, recorded as a version when it changed outside the
   * console). The file is read again only when its stamp changed (size, times, inode: a write, even
   * one keeping size and mtime, or a rename over it), while it has not settled, or when another
   * version was recorded since (a display save keeps the text).
   */
  current(): ConfigVersionWithText {
    const file = this.model.file;
    const read = () => this.versions.current(readFileSync(file, 'utf8'));
    const known = this.seen.through(file, () => read().version);
    const last = this.versions.latest();
    if (known !== undefined && last?.version === known) return last;
    // No file: the read names the fault. Another version recorded since (a display save keeps the text): read again.
    this.seen.forget(file);
    if (known === undefined) return read();
    const now = this.seen.through(file, () => read().version);
    return (now !== undefined && this.versions.get(now)) || read();
  }

  /**
   * Parsed versions for diffs, by version number (a version's text never changes): the version in
   * force and the two a diff or a conflict compares stay parsed, as validating 10,000 tags takes a while.
   */
  private readonly parsedCache = new Map<number, SiteModel>();

  /** A version's text parsed, for diffs between versions (never handed to the running capabilities). */
  parsed(v: ConfigVersionWithText): SiteModel {
    const hit = this.parsedCache.get(v.version);
    if (hit) {
      // Most recently used last: the oldest is the one let go.
      this.parsedCache.delete(v.version);
      this.parsedCache.set(v.version, hit);
      return hit;
    }
    const r = validateSiteText(v.text, this.model.file);
    if (!r.model)
      throw new ApiFailure(
        'validation',
        `version ${v.version} is not a valid site file (${r.issues.length} problems), so it cannot be compared or restored`,
      );
    this.parsedCache.set(v.version, r.model);
    for (const oldest of this.parsedCache.keys()) {
      if (this.parsedCache.size <= PARSED_KEPT) break;
      this.parsedCache.delete(oldest);
    }
    return r.model;
  }

  version(n: number): ConfigVersionWithText {
    const v = this.versions.get(n);
    if (!v) throw new ApiFailure('not_found', `no configuration version ${n}; the newest is ${this.current().version}`);
    return v;
  }

  validate(text: string, renames: Renames): { valid: boolean; issues: ConfigIssueInfo[]; baseVersion: number; diff: SiteDiff | null } {
    return this.check(text, renames).answer;
  }

  /** `validate`'s answer and the model the text makes (null when it makes none), for callers that use both. */
  check(
    text: string,
    renames: Renames,
  ): { answer: { valid: boolean; issues: ConfigIssueInfo[]; baseVersion: number; diff: SiteDiff | null }; model: SiteModel | null } {
    const base = this.current();
    const r = validateSiteText(text, this.model.file);
    if (!r.model) return { answer: { valid: false, issues: r.issues.map(issueInfo), baseVersion: base.version, diff: null }, model: null };
    const problems = renameProblems(this.model, r.model, renames);
    return {
      answer: {
        valid: problems.length === 0,
        issues: problems.map((message) => ({ line: 1, column: 1, field: 'renames', message, text: `renames: ${message}` })),
        baseVersion: base.version,
        diff: diffSites(this.parsed(base), r.model, renames),
      },
      model: r.model,
    };
  }

  /**
   * `displays` (config.import): every display file's text, recorded with the version; when only
   * they differ from the version in force the text may be the same (a version of displays only,
   * nothing handed to the capabilities). The caller writes the display files.
   */
  apply(a: Applying): Promise<ConfigApplyResult> {
    return this.serial(() => this.applyNow({ ...a, kind: 'apply' }));
  }

  /** `displays`: the displays and templates the rollback puts back (recorded with it; the caller writes the files). */
  rollback(a: Omit<Applying, 'text' | 'renames'> & { version: number }): Promise<ConfigApplyResult> {
    return this.serial(() => {
      const target = this.version(a.version);
      return this.applyNow({
        text: target.text,
        baseVersion: a.baseVersion,
        comment: a.comment,
        renames: {},
        author: a.author,
        kind: 'rollback',
        displays: a.displays,
      });
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(a: Applying & { kind: 'apply' | 'rollback' }): Promise<ConfigApplyResult> {
    const base = this.current();
    if (a.baseVersion !== base.version) throw this.conflict(a.baseVersion, base);
    if (a.text === base.text && a.displays) {
      const version = this.versions.add({ author: a.author, comment: a.comment, kind: a.kind, text: a.text, displays: a.displays });
      const { text: _t, ...info } = version;
      return { version: info, diff: { entries: [], summary: [] }, applied: [] };
    }
    if (a.text === base.text)
      throw new ApiFailure('validation', `the text is version ${base.version}, the version in force: nothing to apply`);
    const next = a.checked ?? this.validModel(a.text);
    const problems = renameProblems(this.model, next, a.renames);
    if (problems.length > 0) throw new ApiFailure('validation', problems.join('; '));
    // Against the text in force, not the running model (whose "demo" endpoints the plant resolved).
    const diff = diffSites(this.parsed(base), next, a.renames);
    writeSiteText(this.model.file, a.text);
    const version = this.versions.add({
      author: a.author,
      comment: a.comment,
      kind: a.kind,
      text: a.text,
      renames: a.renames,
      displays: a.displays,
    });
    // Displays not given: the version carries those of the one before, with the templates as the files hold them.
    const templates = a.displays ? { entries: [], summary: [] } : recordTemplatesOnDisk(this.versions, version.version, this.displaysDir);
    const applied = await this.swap(next, a.renames, diff);
    const { text: _text, ...info } = version;
    return {
      version: info,
      diff: { entries: [...diff.entries, ...templates.entries], summary: [...diff.summary, ...templates.summary] },
      applied,
    };
  }

  /** The model `text` makes (refused when invalid). */
  private validModel(text: string): SiteModel {
    const r = validateSiteText(text, this.model.file);
    if (r.model) return r.model;
    throw new ApiFailure(
      'validation',
      `the site file is not valid (${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}): ${r.issues.map((i) => issueInfo(i).text).join('; ')}`,
    );
  }

  private conflict(baseVersion: number, current: ConfigVersionWithText): ApiFailure {
    const base = this.versions.get(baseVersion);
    if (!base)
      return new ApiFailure('conflict', `there is no configuration version ${baseVersion}; the version in force is ${current.version}`);
    let changed = '';
    try {
      const d = diffSites(this.parsed(base), this.parsed(current));
      changed = d.summary.length > 0 ? `; since version ${baseVersion} it changed: ${d.summary.join('; ')}` : '';
    } catch (err) {
      changed = `; ${describeError(err)}`;
    }
    const who = current.author ?? (current.kind === 'outside' ? 'an edit outside config.apply' : 'the site file');
    return new ApiFailure(
      'conflict',
      `this edit was made on version ${baseVersion}, but version ${current.version} is in force: applied by ${who} at ${new Date(current.at).toISOString()} ("${current.comment}")${changed}. Load version ${current.version}, make the edit again and apply; nothing was changed`,
    );
  }

  /**
   * Put the next model in force: the bus's table changed in place (unchanged tags keep their ids,
   * values and quality; renamed ones keep their id under the new name; new ones are added; removed
   * ones get a last Bad sample and leave it), then each capability is handed its section in
   * core.ts's order.
   */
  private async swap(next: SiteModel, renames: Renames, diff: SiteDiff): Promise<ConfigApplied[]> {
    const { bus } = this.targets;
    const renameFaults: string[] = [];
    // Drivers, tags and the historian are always handed their section: they compare what they run
    // on themselves (connections' tags, the tag table).
    const always = new Set(['drivers', 'tags', 'historian']);
    const before = new Map(this.targets.sections(this.model).map((s) => [s.name, always.has(s.name) ? '' : json(s.section)]));
    const historian = this.targets.running.face('historian').store;
    for (const [from, to] of Object.entries(renames)) {
      const id = bus.idOf(from);
      if (id !== undefined) bus.rename(id, to);
      try {
        historian.renameTag(from, to);
      } catch (err) {
        renameFaults.push(`${from} -> ${to}: ${describeError(err)}`);
      }
    }
    // The table the next model asks for (its tags, its models' derived tags), by name against the bus.
    const wanted = this.targets.tagsOf(next);
    const idOf = new Map<number, number>();
    const added: TagInfo[] = [];
    let fresh = 0;
    for (const t of wanted) {
      const existing = bus.idOf(t.name);
      if (existing === undefined) {
        const id = bus.idFor(t.name, fresh);
        if (id === bus.idSpan + fresh) fresh++;
        idOf.set(t.id, id);
        added.push({ ...t, id });
        continue;
      }
      idOf.set(t.id, existing);
      const kept = bus.tag(existing) as TagInfo & { alarmLimits?: unknown; states?: unknown; decimals?: unknown };
      for (const k of ['alarmLimits', 'states', 'decimals'] as const) if (!(k in t)) delete kept[k];
      Object.assign(kept, { ...t, id: existing });
    }
    const names = new Set(wanted.map((t) => t.name));
    const removed = bus.tags.filter((t) => !names.has(t.name));
    bus.removeTags(
      removed.map((t) => t.id),
      (t) => `${t.name} was removed from the site file`,
    );
    bus.addTags(added);

    // The model in force, renumbered to the bus's ids (the same objects the bus holds).
    const tags = next.tags.map((t) => bus.tag(idOf.get(t.id) as number) as TagInfo);
    const driverTags = new Map<string, DriverTag[]>(
      [...next.driverTags].map(([conn, list]) => [conn, list.map((d) => ({ ...d, id: idOf.get(d.id) as number }))]),
    );
    const definedAt: Path[] = [];
    next.definedAt.forEach((p, i) => {
      definedAt[idOf.get(i) as number] = p;
    });
    const site = this.targets.site;
    const facts = (s: { name: string; timeZone: string; machines: readonly { name: string }[] }, tagsChanged: boolean) => ({
      name: s.name,
      timeZone: s.timeZone,
      machines: json(s.machines.map((m) => m.name)),
      tags: tagsChanged ? 'changed' : '',
    });
    const factsBefore = facts(site, false);
    this.model.tags.splice(0, this.model.tags.length, ...tags);
    this.model.machines.splice(0, this.model.machines.length, ...next.machines);
    Object.assign(site, { name: next.site.name, timeZone: next.site.timeZone });
    const factsAfter = facts(site, added.length > 0 || removed.length > 0 || Object.keys(renames).length > 0);
    Object.assign(this.model, { ...next, tags: this.model.tags, machines: this.model.machines, driverTags, definedAt });

    const drivers = this.targets.running.face('drivers').drivers;
    const driversBefore = new Map(drivers);
    const results: ConfigApplied[] = [];
    for (const { name, section, open } of this.targets.sections(this.model)) {
      const same = !always.has(name) && before.get(name) === json(section);
      if (same) {
        results.push({ capability: name, result: 'unchanged', detail: 'its section did not change' });
        continue;
      }
      let answer: ConfigApplied | null;
      try {
        const r = await this.targets.running.reconfigure(name, section, open);
        answer = r && { capability: name, ...r };
      } catch (err) {
        answer = {
          capability: name,
          result: 'restart-needed',
          detail: `applying in place failed: ${describeError(err)}; it runs on its previous section until it restarts`,
        };
      }
      if (answer) results.push(answer);
    }
    // Site facts read at open: their readers restart alone when their own section did not already.
    for (const [name, reads] of Object.entries(SITE_READERS)) {
      const changed = reads.filter((k) => factsBefore[k] !== factsAfter[k]);
      const entry = results.find((r) => r.capability === name);
      if (changed.length === 0 || !entry || entry.detail.startsWith('restarted') || entry.detail.startsWith('opened')) continue;
      const words = { timeZone: 'time zone', name: "site's name", machines: 'machines', tags: 'tag table' } as const;
      const why = changed.map((k) => words[k]).join(', ');
      try {
        const r = await this.targets.running.restartAlone(name);
        if (r) Object.assign(entry, { result: r.result, detail: `the ${why} changed: ${r.detail}` });
      } catch (err) {
        Object.assign(entry, { result: 'restart-needed', detail: `the ${why} changed and restarting it failed: ${describeError(err)}` });
      }
    }
    const connections = results.find((r) => r.capability === 'drivers');
    if (connections?.result === 'applied') {
      const names = (f: (name: string) => boolean, from: Iterable<string>) => [...from].filter(f);
      const rebuilt = names((n) => driversBefore.has(n) && driversBefore.get(n) !== drivers.get(n) && drivers.has(n), drivers.keys());
      const started = names((n) => !driversBefore.has(n), drivers.keys());
      const stopped = names((n) => !drivers.has(n), driversBefore.keys());
      const untouched = drivers.size - rebuilt.length - started.length;
      connections.detail = [
        rebuilt.length > 0 ? `rebuilt ${rebuilt.join(', ')}` : '',
        started.length > 0 ? `started ${started.join(', ')}` : '',
        stopped.length > 0 ? `stopped ${stopped.join(', ')}` : '',
        `${untouched} connection${untouched === 1 ? '' : 's'} untouched`,
      ]
        .filter(Boolean)
        .join('; ');
    }
    const tagsEntry = results.find((r) => r.capability === 'tags');
    if (tagsEntry?.result === 'applied') {
      const changed = diff.entries.filter((e) => e.kind === 'tag' && (e.change === 'changed' || e.change === 'renamed')).length;
      tagsEntry.detail = `${added.length} tags added and readable; ${removed.length} removed (readers stopped, clients told); ${changed} changed or renamed in place; every other tag keeps its id`;
    }
    const stored = results.find((r) => r.capability === 'historian');
    if (stored && renameFaults.length > 0) stored.detail += `; renames not carried into history: ${renameFaults.join('; ')}`;
    else if (stored && Object.keys(renames).length > 0) stored.detail += `; ${Object.keys(renames).length} renamed tags keep their history`;
    return results;
  }
}

/** A rename must name a tag of the version in force and a tag of the new text that is not there already. */
function renameProblems(before: SiteModel, after: SiteModel, renames: Renames): string[] {
  const was = new Set(before.tags.map((t) => t.name));
  const now = new Set(after.tags.map((t) => t.name));
  const out: string[] = [];
  for (const [from, to] of Object.entries(renames)) {
    if (!was.has(from)) out.push(`rename ${from} -> ${to}: there is no tag ${from} in the version in force`);
    else if (!now.has(to)) out.push(`rename ${from} -> ${to}: the new text has no tag ${to}`);
    else if (was.has(to)) out.push(`rename ${from} -> ${to}: ${to} is already a tag of the version in force`);
    else if (now.has(from)) out.push(`rename ${from} -> ${to}: the new text still has ${from}`);
  }
  return out;
}
