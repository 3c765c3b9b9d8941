// Process displays versioned with the site file. Each configuration version records every display
// file's text (versions.ts `displays`); saving a display from the editor writes its file and adds a
// version (author, time, comment) with the site file's text unchanged; config.diff names the displays
// that differ between two versions; config.rollback puts the target version's displays back beside its
// site file (a version that changed only displays is rolled back without touching the running
// capabilities). Display templates (displays/templates/<id>.json) are versioned the same way, in the
// same snapshot under the keys `templates/<id>` (config-snapshot.ts): recorded with each save, and by
// live configuration with every site-file version (apply.ts: config.apply, config.updateTag,
// config.importTags, config.import, config.rollback), named in config.diff, put back by
// config.rollback. Every step here is synchronous, so a save never interleaves with another save,
// and an apply's awaits (handing sections to capabilities) come after its version is recorded.
import type { ConfigApplyResult, ConfigDiff, ConfigVersionInfo } from '../api/config-requests.js';
import type { CallContext, Handlers } from '../api/contract.js';
import { ApiFailure } from '../api/registry.js';
import { displayText, writeDisplay } from '../displays/save.js';
import { DISPLAY_LIMITS, parseDisplay } from '../displays/schema.js';
import { SvgError, sanitizeSvg } from '../displays/svg.js';
import type { LiveConfig } from './apply.js';
import {
  configSnapshot,
  diffConfigSnapshots,
  restoreConfigSnapshot,
  sameSnapshot,
  splitSnapshot,
  withTemplates,
} from './config-snapshot.js';
import type { ConfigVersionWithText } from './versions.js';

type Edited = Pick<Handlers, 'displays.save' | 'displays.importSvg' | 'config.diff' | 'config.rollback'>;

const info = ({ text: _t, ...v }: ConfigVersionWithText): ConfigVersionInfo => v;

export function displayEditHandlers(live: LiveConfig, config: Pick<Handlers, 'config.diff' | 'config.rollback'>, dir: string): Edited {
  const { versions } = live;

  /** The first version after `base` whose displays say something else of display `id` (who changed it first). */
  const changedSince = (id: string, base: number, inForce: number): ConfigVersionWithText | null => {
    const at = versions.displaysOf(base);
    if (!at) return null;
    for (let v = base + 1; v <= inForce; v++) {
      const d = versions.displaysOf(v);
      if (d && d[id] !== at[id]) return versions.get(v);
    }
    return null;
  };

  const conflict = (what: string, baseVersion: number, by: ConfigVersionWithText) =>
    new ApiFailure(
      'conflict',
      `${what} was made on version ${baseVersion}, but version ${by.version} changed it since: by ${by.author ?? 'an edit outside the console'} at ${new Date(by.at).toISOString()} ("${by.comment}"). Load the display again, make the edit and save; nothing was changed`,
    );

  const save: Edited['displays.save'] = ({ display, comment, baseVersion }, ctx: CallContext) => {
    const id = typeof display.id === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(display.id) ? display.id : null;
    const shown = `displays/${id ?? '(unnamed)'}.json`;
    const parsed = parseDisplay(`${JSON.stringify(display, null, 2)}\n`, shown);
    if (!parsed.ok) throw new ApiFailure('validation', `the display is not saved: ${parsed.problems.join('; ')}`);
    const doc = parsed.display;
    const text = displayText(doc);
    if (Buffer.byteLength(text) > DISPLAY_LIMITS.fileBytes)
      throw new ApiFailure('validation', `display ${doc.id} is larger than ${DISPLAY_LIMITS.fileBytes} bytes as a file`);
    const inForce = live.current();
    if (baseVersion !== undefined) {
      if (!versions.get(baseVersion))
        throw new ApiFailure('conflict', `there is no configuration version ${baseVersion}; the version in force is ${inForce.version}`);
      const by = changedSince(doc.id, baseVersion, inForce.version);
      if (by) throw conflict(`this edit of display ${doc.id}`, baseVersion, by);
    }
    const before = live.recorded(inForce.version);
    // What the files hold now (a file edited by hand since the last version is taken in as it is).
    const files = configSnapshot(dir);
    const onDisk = splitSnapshot(files).displays;
    if (onDisk[doc.id] === text && before[doc.id] === text)
      throw new ApiFailure('validation', `display ${doc.id} is saved as it is already (version ${inForce.version}): nothing to save`);
    if (!(doc.id in onDisk) && Object.keys(onDisk).length >= DISPLAY_LIMITS.displays)
      throw new ApiFailure('validation', `the site holds ${DISPLAY_LIMITS.displays} displays already, the most it may`);
    writeDisplay(dir, doc.id, text);
    const after = { ...files, [doc.id]: text };
    const v = versions.add({ author: ctx.user, comment, kind: 'apply', text: inForce.text, displays: after });
    return { version: info(v), diff: diffConfigSnapshots(before, after) };
  };

  const rollback: Edited['config.rollback'] = async (args, ctx) => {
    const target = live.version(args.version);
    const inForce = live.current();
    const recordedWant = versions.displaysOf(target.version);
    const have = versions.displaysOf(inForce.version) ? live.recorded(inForce.version) : configSnapshot(dir);
    if (!recordedWant) return config['config.rollback'](args, ctx);
    const want = withTemplates(recordedWant, have);
    if (sameSnapshot(want, have)) return config['config.rollback'](args, ctx);
    if (target.text !== inForce.text) {
      // The site file first (its apply checks the base version and may refuse); then the displays.
      const r = await live.rollback({ ...args, author: ctx.user, displays: want });
      const done = restoreConfigSnapshot(dir, want);
      return withDisplays(r, diffConfigSnapshots(have, want), done);
    }
    if (args.baseVersion !== inForce.version) {
      const by = versions.get(args.baseVersion);
      if (!by)
        throw new ApiFailure(
          'conflict',
          `there is no configuration version ${args.baseVersion}; the version in force is ${inForce.version}`,
        );
      throw conflict('this rollback', args.baseVersion, inForce);
    }
    const done = restoreConfigSnapshot(dir, want);
    const v = versions.add({ author: ctx.user, comment: args.comment, kind: 'rollback', text: inForce.text, displays: want });
    return withDisplays({ version: info(v), diff: { entries: [], summary: [] }, applied: [] }, diffConfigSnapshots(have, want), done);
  };

  const diff: Edited['config.diff'] = async (args, ctx) => {
    const r = await config['config.diff'](args, ctx);
    const a = versions.displaysOf(args.from);
    const b = versions.displaysOf(args.to);
    if (!a || !b) return r;
    const d = diffConfigSnapshots(a, b);
    return { ...r, diff: { entries: [...r.diff.entries, ...d.entries], summary: [...r.diff.summary, ...d.summary] } };
  };

  const importSvg: Edited['displays.importSvg'] = ({ svg }) => {
    try {
      return sanitizeSvg(svg);
    } catch (err) {
      if (err instanceof SvgError) throw new ApiFailure('validation', `the SVG is not imported: ${err.message}`);
      throw err;
    }
  };

  return {
    'displays.save': save,
    'displays.importSvg': importSvg,
    'config.diff': diff,
    'config.rollback': rollback,
  };
}

function withDisplays(r: ConfigApplyResult, d: ConfigDiff, done: { written: string[]; removed: string[] }): ConfigApplyResult {
  const detail = [
    done.written.length > 0 ? `wrote ${done.written.join(', ')}` : '',
    done.removed.length > 0 ? `removed ${done.removed.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    ...r,
    diff: { entries: [...r.diff.entries, ...d.entries], summary: [...r.diff.summary, ...d.summary] },
    applied: [
      ...r.applied,
      { capability: 'displays', result: 'applied', detail: `${detail || 'the files were as the version says'}; shown when next opened` },
    ],
  };
}
