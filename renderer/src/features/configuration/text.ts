// Pure helpers of the Configuration screen: where a validator issue (line:col) sits in the editor's
// text, and the sentence a refused apply is answered with. Kept apart from the components so that
// they are tested without a browser.
import type { ConfigVersionInfo } from '../../../../native/api/config-requests';

/** Lines in the text as the editor shows them (an empty text is one empty line). */
export function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The character offset of 1-based line:column, clamped to the text: a line past the end is the end
 * of the text, a column past the end of its line is the end of that line.
 */
export function offsetOf(text: string, line: number, column: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) return text.length;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  const lineEnd = end === -1 ? text.length : end;
  return Math.min(start + Math.max(0, column - 1), lineEnd);
}

/** Who applied a version, as a sentence's subject. */
export function authorOf(v: Pick<ConfigVersionInfo, 'author' | 'kind'>): string {
  if (v.author) return v.author;
  return v.kind === 'outside' ? 'an edit of the file outside the console' : 'the site file as first loaded';
}

/**
 * The answer to an apply refused because another came first: names the version in force, who made
 * it, when (in the console's date format) and why, and what the engineer can do next.
 */
export function conflictSentence(baseVersion: number, inForce: ConfigVersionInfo, when: (ms: number) => string): string {
  const why = inForce.comment ? ` (“${inForce.comment}”)` : '';
  return (
    `Not applied: you edited version ${baseVersion}, but version ${inForce.version} was applied by ${authorOf(inForce)} ` +
    `at ${when(inForce.at)}${why} in the meantime. Reload version ${inForce.version} to edit it; your text is kept aside.`
  );
}
