// Where the console's shipped files are, the site file a data dir runs on, and what the console
// says about itself.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CoreInfo } from '../api/types.js';
import type { SiteModel } from './model.js';

/** The package's root: native/site/ from sources, dist/native/ when bundled, both two levels below it. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const DEMO_SITE_FILE = path.join(packageRoot, 'resources', 'demo-site.yaml');

/** What the console says about itself: name, version, site, start time, shell. */
export function coreInfo(model: SiteModel, shell: CoreInfo['shell']): CoreInfo {
  const version = coreVersion();
  return {
    name: 'Aurum Console',
    version,
    site: model.site.name,
    startedAt: new Date().toISOString(),
    shell,
    demoPlant: model.demoPlant,
    timeZone: model.site.timeZone,
    dateFormat: model.site.dateFormat,
  };
}

export function coreVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The demo site file a data dir runs on: a copy of the shipped one, made on first start, so that
 * changes made from the console are kept with the data and the shipped file stays pristine.
 */
export function demoSiteFileIn(dataDir: string): string {
  const file = path.join(dataDir, 'demo-site.yaml');
  if (!existsSync(file)) copyFileSync(DEMO_SITE_FILE, file);
  return file;
}
