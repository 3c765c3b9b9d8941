// The contract between the one site-file validator (native/site/) and each protocol's own rules.
// A protocol's rules live beside its driver (native/drivers/<protocol>/config.ts), so the validator
// refuses exactly what the driver would fail on at run time; the validator calls them for every
// connection with the tags (templates expanded) that use it, and reports every problem at once.
import type { TagDataType } from '../api/types.js';

/** Path of a field in the site file, e.g. ['connections', 2, 'endpoint'] or ['templates', 'pump', 'tags', 3, 'address']. */
export type SitePath = (string | number)[];

/** One tag as a protocol rule sees it: address and options with template parameters already expanded. */
export interface SiteTagRef {
  /** Where the tag is defined in the file: a machine's own tag entry or its template's. */
  path: SitePath;
  /** Site/Area/Machine/Tag. */
  name: string;
  address: string;
  dataType: TagDataType;
  writable: boolean;
  options: Record<string, unknown>;
}

export interface SiteRuleContext {
  /** Folder of the site file: relative file names in it are resolved against this, never the working directory. */
  siteDir: string;
  /** Record a problem at a path of the site file; every problem is reported at once. */
  report(path: SitePath, message: string): void;
  /**
   * A file the site file names (TLS ca/cert/key, certificates…): resolved against siteDir, checked
   * to exist. Returns the absolute path, or undefined after reporting the problem at `path`. Every
   * file resolved this way is replaced in the loaded model by its absolute path (for connection
   * fields), so the driver opens the file the validator checked, whatever the working directory.
   */
  resolveFile(path: SitePath, name: string): string | undefined;
}

/** A protocol's rules over one connection entry (at `connPath`) and the tags that use it. */
export type ConnectionRules<C> = (conn: C, connPath: SitePath, tags: readonly SiteTagRef[], ctx: SiteRuleContext) => void;
