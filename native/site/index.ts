// The site file's one entry point: every shell and every edit loads and validates through here.
import { ConfigError } from './issues.js';
import type { SiteModel } from './model.js';
import { checkSiteFile, validateSiteText } from './validate.js';

export { closest, describeZodIssue, unknownFieldMessage } from '../util/describe.js';
export { ConfigError, type ConfigIssue, fieldOf, formatIssue } from './issues.js';
export type { Path, SiteModel } from './model.js';
export { checkSiteFile, type SiteValidation, siteRuleContext, validateSiteText } from './validate.js';

/** Parse and validate site-file text. Throws ConfigError listing every problem. */
export function parseSiteFile(text: string, file: string): SiteModel {
  const r = validateSiteText(text, file);
  if (!r.model) throw new ConfigError(r.issues);
  return r.model;
}

/** Read, parse and validate a site file. Throws ConfigError listing every problem. */
export function loadSiteFile(file: string): SiteModel {
  const r = checkSiteFile(file);
  if (!r.model) throw new ConfigError(r.issues);
  return r.model;
}
