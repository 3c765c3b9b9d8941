// A machine's alarm marker shows the highest priority of that machine's shown alarms and whether one
// waits for acknowledgement; the symbol registry covers every kind a document may hold.
import { describe, expect, it } from 'vitest';
import type { AlarmRow } from '../../../../native/api/alarm-requests';
import { actsOn, pointerPoints, SYMBOL_LIST, SYMBOLS } from './symbols';
import { machineAlarmState, setText } from './writer';

const row = (machine: string, priority: AlarmRow['priority'], state: AlarmRow['state']): AlarmRow =>
  ({ id: `${machine}-${priority}-${state}`, machine, priority, state }) as AlarmRow;

describe('machine alarm markers', () => {
  it('the highest priority of the shown alarms; shelved, suppressed and out-of-service ones are not shown', () => {
    const rows = [
      row('S/A/P1', 'Low', 'ack_active'),
      row('S/A/P1', 'High', 'unack_rtn'),
      row('S/A/P1', 'Critical', 'shelved'),
      row('S/A/P1', 'Critical', 'out_of_service'),
      row('S/A/P2', 'Critical', 'unack_active'),
    ];
    expect(machineAlarmState(rows, 'S/A/P1')).toEqual({ priority: 'High', count: 2, unacked: true });
    expect(machineAlarmState([row('S/A/P1', 'Medium', 'ack_active')], 'S/A/P1')).toEqual({ priority: 'Medium', count: 1, unacked: false });
    expect(machineAlarmState(rows, 'S/A/P9')).toEqual({ priority: null, count: 0, unacked: false });
  });
});

describe('the symbol registry', () => {
  it('lists each kind once, under its own key, with a title', () => {
    expect(new Set(SYMBOL_LIST.map((s) => s.kind)).size).toBe(SYMBOL_LIST.length);
    for (const s of SYMBOL_LIST) {
      expect(SYMBOLS[s.kind], s.kind).toBe(s);
      expect(s.title.length, s.kind).toBeGreaterThan(0);
    }
  });

  it('equipment acts (opens its faceplate) only when it names a machine; navigation always acts; a value box never', () => {
    const el = (kind: keyof typeof SYMBOLS, props: Record<string, string> = {}) => ({
      id: 'x',
      kind,
      x: 0,
      y: 0,
      w: 1,
      h: 1,
      bind: {},
      props,
    });
    expect(actsOn(el('pump'))).toBe(false);
    expect(actsOn(el('pump', { machine: 'S/A/P1' }))).toBe(true);
    expect(actsOn(el('button', { display: 'a' }))).toBe(true);
    expect(actsOn(el('value', { machine: 'S/A/P1' }))).toBe(false);
  });
});

describe("value text writes (issue 19 point 5: the frame goes to the browser's work for each write)", () => {
  /** An element with one Text node, counting the writes that replace its children. */
  function textElement(initial: string) {
    const text = { nodeType: 3, nodeValue: initial };
    let replaced = 0;
    const el = {
      firstChild: text,
      lastChild: text,
      get textContent() {
        return text.nodeValue;
      },
      set textContent(v: string) {
        replaced++;
        text.nodeValue = v;
      },
    };
    return { el: el as unknown as Element, text, replaced: () => replaced };
  }

  it("a new value goes into the element's Text node (nodeValue), not a replacement of its children", () => {
    const t = textElement('—');
    setText(t.el, '50.3');
    setText(t.el, '50.3');
    setText(t.el, '9.8');
    expect(t.text.nodeValue).toBe('9.8');
    expect(t.el.firstChild).toBe(t.text);
    expect(t.replaced()).toBe(0);
  });

  it('an empty element gets its text (its first Text node)', () => {
    let set = '';
    const el = { firstChild: null, lastChild: null, textContent: '' } as unknown as Element;
    Object.defineProperty(el, 'textContent', { get: () => set, set: (v: string) => (set = v) });
    setText(el, '▲ HI');
    expect(set).toBe('▲ HI');
  });

  it("an indicator's pointer is moved by its points (no transform to change): the tip at x", () => {
    expect(pointerPoints(0)).toBe('-7.0,-16 7.0,-16 0.0,-5');
    expect(pointerPoints(105)).toBe('98.0,-16 112.0,-16 105.0,-5');
  });
});
