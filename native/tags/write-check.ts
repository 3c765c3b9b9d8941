// What a write to a tag may carry. Every transport (IPC, WebSocket, HTTP) reaches tags.write, and
// the value is checked here against the tag's declared type before any driver sees it: nothing is
// coerced (no "maybe" → false, no 3.7 → 4), and a refusal names the tag and says what it takes.
import type { TagInfo, TagState } from '../api/types.js';

export class WriteRefused extends Error {
  override name = 'WriteRefused';
}

/** A boolean's state names when the site file gives none. */
export const DEFAULT_BOOL_STATES: readonly TagState[] = [
  { value: false, label: 'OFF' },
  { value: true, label: 'ON' },
];

/**
 * The named states of a tag as the site file declares them (keys "false"/"true" or integers; the
 * schema has checked them): a boolean always has two, an int only when it is an enumeration.
 */
export function tagStates(dataType: TagInfo['dataType'], states: Record<string, string> | undefined): TagState[] | undefined {
  if (dataType === 'bool') {
    if (!states) return DEFAULT_BOOL_STATES.map((s) => ({ ...s }));
    return [
      { value: false, label: states.false ?? 'OFF' },
      { value: true, label: states.true ?? 'ON' },
    ];
  }
  if (dataType === 'int' && states) {
    return Object.entries(states)
      .map(([k, label]) => ({ value: Number(k), label }))
      .sort((a, b) => (a.value as number) - (b.value as number));
  }
  return undefined;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === undefined) return 'no value';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'a list' : 'an object';
}

function stateList(states: readonly TagState[]): string {
  return states.map((s) => `${String(s.value)} (${s.label})`).join(', ');
}

/**
 * The value to send to the driver, exactly as given, or a WriteRefused with a sentence naming the
 * tag: its type, what was given, and what it takes.
 */
export function checkWrite(tag: TagInfo, value: unknown): number | boolean {
  const name = tag.name;
  if (!tag.writable) throw new WriteRefused(`${name} is read-only`);
  switch (tag.dataType) {
    case 'bool': {
      if (typeof value === 'boolean') return value;
      const states = tag.states ?? DEFAULT_BOOL_STATES;
      throw new WriteRefused(
        `${name} is a boolean tag: ${show(value)} is not true or false (true = ${states[1]?.label}, false = ${states[0]?.label})`,
      );
    }
    case 'string':
      throw new WriteRefused(`${name} is a text tag: the console writes only numbers and booleans`);
    case 'int':
    case 'float': {
      const kind = tag.dataType === 'int' ? 'an integer tag' : 'a number tag';
      if (typeof value !== 'number') throw new WriteRefused(`${name} is ${kind}: ${show(value)} is not a number`);
      if (!Number.isFinite(value)) throw new WriteRefused(`${name} is ${kind}: ${show(value)} is not a finite number`);
      if (tag.dataType === 'int' && !Number.isInteger(value))
        throw new WriteRefused(`${name} is an integer tag: ${value} is not an integer`);
      if (tag.dataType === 'int' && tag.states && !tag.states.some((s) => s.value === value)) {
        throw new WriteRefused(`${name} takes one of its states ${stateList(tag.states)}: ${value} is not one of them`);
      }
      if ((tag.writeMin !== null && value < tag.writeMin) || (tag.writeMax !== null && value > tag.writeMax)) {
        const unit = tag.unit ? ` ${tag.unit}` : '';
        throw new WriteRefused(
          `${value}${unit} is outside the write limits of ${name} (${tag.writeMin ?? '−∞'} … ${tag.writeMax ?? '∞'}${unit})`,
        );
      }
      return value;
    }
  }
}
