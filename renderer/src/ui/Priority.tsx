// Alarm priority shown three ways at once — colour, shape and text — so it reads in either theme,
// in greyscale and for colour-blind operators (ISA-101 / ISA-18.2).
import type { Priority } from '../../../native/api/alarm-requests';
import { PRIORITIES } from '../platform/alarms';

export const PRIORITY_SHAPE: Record<Priority, string> = { Critical: '◆', High: '▲', Medium: '■', Low: '●' };
export const PRIORITY_SHORT: Record<Priority, string> = { Critical: 'P1', High: 'P2', Medium: 'P3', Low: 'P4' };

export function PriorityBadge({ priority }: { priority: Priority }) {
  return (
    <span className="priority" data-priority={priority} title={`${priority} priority`}>
      <span aria-hidden="true">{PRIORITY_SHAPE[priority]}</span> {PRIORITY_SHORT[priority]} {priority}
    </span>
  );
}

/** Toggle buttons choosing which priorities a list shows. */
export function PriorityFilter({ value, onChange }: { value: readonly Priority[]; onChange: (priorities: Priority[]) => void }) {
  return (
    <fieldset className="segmented">
      <legend className="visually-hidden">Priorities shown</legend>
      {PRIORITIES.map((p) => (
        <button
          key={p}
          type="button"
          aria-pressed={value.includes(p)}
          onClick={() => onChange(value.includes(p) ? value.filter((x) => x !== p) : [...value, p])}
        >
          {p}
        </button>
      ))}
    </fieldset>
  );
}
