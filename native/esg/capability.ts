// ESG as a capability: meters accumulated from every tag batch into esg.db, summaries and reports.
import path from 'node:path';
import type { TagInfo } from '../api/types.js';
import { type Capability, type CapabilityContext, restartUnlessSame } from '../capability.js';
import { openSqlite } from '../util/sqlite.js';
import type { EsgConfig } from './config.js';
import { esgHandlers } from './handlers.js';
import { type EsgService, openEsg } from './service.js';

declare module '../capability.js' {
  interface Faces {
    esg: EsgService;
  }
}

/** The site file's `esg:` section and the site's own tags (the meters name them). */
export interface EsgSection {
  esg: EsgConfig;
  tags: readonly TagInfo[];
}

export function open(ctx: CapabilityContext<EsgSection>): Capability {
  const esg = openEsg({
    db: openSqlite(path.join(ctx.dataDir, 'esg.db')),
    tags: ctx.config.tags,
    config: ctx.config.esg,
    timeZone: ctx.site.timeZone,
  });
  return {
    face: esg,
    handlers: esgHandlers(esg),
    listener: { name: 'esg', batch: (b) => esg.ingest(b) },
    // Meters, sources and factors are resolved against the tag table when the service opens: a
    // changed mapping is applied by the core restarting this capability alone (capability.ts).
    reconfigure: (next) => restartUnlessSame(ctx.config.esg, (next as EsgSection | undefined)?.esg),
    stop: () => esg.close(),
  };
}
