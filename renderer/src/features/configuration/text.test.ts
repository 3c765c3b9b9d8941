import { describe, expect, it } from 'vitest';
import { authorOf, conflictSentence, lineCount, offsetOf } from './text';

describe('the Configuration screen’s text helpers', () => {
  const text = 'version: 1\nsite: { name: A }\n\nareas: []';

  it('counts the lines the gutter numbers', () => {
    expect(lineCount('')).toBe(1);
    expect(lineCount(text)).toBe(4);
    expect(lineCount(`${text}\n`)).toBe(5);
  });

  it('finds line:col of an issue in the text, clamped to its line and to the text', () => {
    expect(offsetOf(text, 1, 1)).toBe(0);
    expect(text.slice(offsetOf(text, 2, 9))).toMatch(/^name: A/);
    expect(offsetOf(text, 3, 1)).toBe(text.indexOf('\n\n') + 1);
    // A column past its line's end stops at the end of that line, not in the next one.
    expect(offsetOf(text, 1, 80)).toBe(text.indexOf('\n'));
    expect(text.slice(offsetOf(text, 4, 1))).toBe('areas: []');
    expect(offsetOf(text, 9, 1)).toBe(text.length);
    expect(offsetOf(text, 2, 0)).toBe(text.indexOf('site'));
  });

  it('answers a conflict naming the version in force, its author, time and comment', () => {
    const inForce = { version: 3, author: 'enzo', at: 0, comment: 'raise the pump limit', kind: 'apply', renames: {} } as const;
    expect(conflictSentence(2, inForce, () => '01.12.2026 18:00:00')).toBe(
      'Not applied: you edited version 2, but version 3 was applied by enzo at 01.12.2026 18:00:00 (“raise the pump limit”) in the meantime. Reload version 3 to edit it; your text is kept aside.',
    );
    expect(authorOf({ author: null, kind: 'outside' })).toBe('an edit of the file outside the console');
    expect(authorOf({ author: null, kind: 'initial' })).toBe('the site file as first loaded');
  });
});
