// The config.* requests of live, versioned configuration (native/api/config-requests.ts): the text
// in force, validating, applying, the versions, diffs between them, and rolling back.
import type { Handlers } from '../api/contract.js';
import { LiveConfig, type LiveTargets } from './apply.js';
import { bundleHandlers } from './bundle.js';
import { diffSites } from './diff.js';
import { displayEditHandlers } from './display-versions.js';
import { siteFormSchema } from './form-schema.js';
import { siteHandlers } from './handlers.js';
import type { SiteModel } from './model.js';
import { type ConfigVersionWithText, VersionStore } from './versions.js';

type ConfigHandlers = Pick<
  Handlers,
  | 'config.current'
  | 'config.validate'
  | 'config.apply'
  | 'config.versions'
  | 'config.version'
  | 'config.diff'
  | 'config.rollback'
  | 'config.schema'
>;

const withText = ({ text, ...version }: ConfigVersionWithText) => ({ version, text });

export function configHandlers(live: LiveConfig): ConfigHandlers {
  return {
    'config.current': () => withText(live.current()),
    'config.validate': ({ text, renames }) => live.validate(text, renames),
    'config.apply': ({ text, baseVersion, comment, renames }, ctx) => live.apply({ text, baseVersion, comment, renames, author: ctx.user }),
    'config.versions': ({ limit, before }) => {
      live.current(); // a file changed outside the console is listed as a version of its own
      return live.versions.list(limit, before);
    },
    'config.version': ({ version }) => withText(live.version(version)),
    'config.diff': ({ from, to }) => ({ from, to, diff: diffSites(live.parsed(live.version(from)), live.parsed(live.version(to))) }),
    'config.rollback': ({ version, baseVersion, comment }, ctx) => live.rollback({ version, baseVersion, comment, author: ctx.user }),
    'config.schema': () => siteFormSchema(),
  };
}

/**
 * The site's requests (tag edits, tag lists, and live versioned configuration) on a running core.
 * The versions open with the data dir: its first start records the file as loaded as version 1.
 */
export function siteRequests(model: SiteModel, targets: LiveTargets, dataDir: string): { handlers: Partial<Handlers>; close(): void } {
  const versions = new VersionStore(dataDir);
  const live = new LiveConfig(model, targets, versions);
  live.current();
  // Displays are versioned with the site file: a save is a version, config.diff and config.rollback take them in.
  const displays = displayEditHandlers(live, configHandlers(live), live.displaysDir);
  return {
    handlers: { ...siteHandlers({ model, live }), ...configHandlers(live), ...displays, ...bundleHandlers(live) },
    close: () => versions.close(),
  };
}
