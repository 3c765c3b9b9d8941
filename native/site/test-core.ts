// For tests: a real core in-process (no HTTP) on a site file given as text, in a folder of its own,
// with requests made as an engineer — the setup the config.apply tests of the site share
// (native/server/test-server.ts serveSite adds the HTTP transport and a signed-in administrator).
// The core's start is handed in (startCore from native/core.ts): site/ sits below core.ts and does
// not import it (scripts/layering.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CallContext } from '../api/contract.js';
import type { ApiResult } from '../api/types.js';

export const ENGINEER: CallContext = { user: 'eng1', role: 'engineer', origin: 'internal' };

/**
 * The site these tests run on: site S, one ingest connection `gw`, one machine S/A/<machine> with
 * the given tag lines (YAML flow mappings, a comment may follow one).
 */
export function gatewaySite(tags: readonly string[], machine = 'M'): string {
  return `version: 1
site: { name: S }
connections:
  - { name: gw, protocol: ingest }
areas:
  - name: A
    machines:
      - name: ${machine}
        connection: gw
        tags:
${tags.map((t) => `          - ${t}`).join('\n')}
`;
}

/** What these tests need of a running core. */
interface RunningCore {
  call(name: string, args: unknown, ctx: CallContext): Promise<ApiResult<unknown>>;
  stop(): Promise<void>;
}

/** How a core is started (startCore's options as these tests give them). */
type StartCore<C> = (opts: { siteFile: string; dataDir: string; shell: 'test'; log: () => void }) => Promise<C>;

export interface SiteCore<C extends RunningCore> {
  core: C;
  /** The site file the core runs on (`site.yaml` in its folder; the data dir beside it). */
  file: string;
  /** A request as the engineer: its answer's data, or an Error naming the request and its failure. */
  call<T>(name: string, args: unknown): Promise<T>;
  /** Stop the core and remove its folder. */
  stop(): Promise<void>;
}

export async function startSiteCore<C extends RunningCore>(siteText: string, prefix: string, start: StartCore<C>): Promise<SiteCore<C>> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, siteText);
  const core = await start({ siteFile: file, dataDir: path.join(dir, 'data'), shell: 'test', log: () => undefined });
  return {
    core,
    file,
    async call<T>(name: string, args: unknown): Promise<T> {
      const r = await core.call(name, args, ENGINEER);
      if (r.error) throw new Error(`${name}: ${r.error.type}: ${r.error.message}`);
      return r.data as T;
    },
    async stop() {
      await core.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
