// What the site-file validator reports: one issue per problem, each with the file, the line and
// column of the field, the field's path and a sentence saying what was expected.
import type { SitePath } from '../drivers/site-rules.js';

export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the field, e.g. areas[0].machines[1].connection; empty for the file itself. */
  field: string;
  message: string;
}

/** Thrown by the loading entry points when a site file is refused; carries every issue at once. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  /** The message is the report check-config prints, so every shell shows the same text. */
  constructor(readonly issues: ConfigIssue[]) {
    super(formatReport(issues));
  }
}

/** "<file>: 3 errors" and one line per issue: what check-config, serve and the desktop print. */
export function formatReport(issues: readonly ConfigIssue[]): string {
  const file = issues[0]?.file ?? 'site file';
  return [`${file}: ${issues.length} error${issues.length === 1 ? '' : 's'}`, ...issues.map(formatIssue)].join('\n');
}

export function formatIssue(i: ConfigIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.field || '(file)'}: ${i.message}`;
}

/** ['areas', 0, 'machines', 1, 'connection'] → areas[0].machines[1].connection */
export function fieldOf(path: SitePath): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}
