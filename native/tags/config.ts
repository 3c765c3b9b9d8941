// The site file's loading entry points, as the tag code has always imported them. The validator
// itself (YAML, schema, templates, cross-references, every protocol's rules) lives in native/site/.
export {
  ConfigError,
  type ConfigIssue,
  formatIssue,
  loadSiteFile,
  type Path,
  parseSiteFile,
  type SiteModel,
} from '../site/index.js';
