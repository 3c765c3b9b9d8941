// Alarm priority shown three ways at once — colour, shape and text — so it reads in either theme,
// in greyscale and for colour-blind operators (ISA-101 / ISA-18.2).
import type { Priority } from '../../../native/api/alarm-requests';

export const PRIORITY_SHAPE: Record<Priority, string> = { Critical: '◆', High: '▲', Medium: '■', Low: '●' };
export const PRIORITY_SHORT: Record<Priority, string> = { Critical: 'P1', High: 'P2', Medium: 'P3', Low: 'P4' };

export function PriorityBadge({ priority }: { priority: Priority }) {
  return (
    <span className="priority" data-priority={priority} title={`${priority} priority`}>
      <span aria-hidden="true">{PRIORITY_SHAPE[priority]}</span> {PRIORITY_SHORT[priority]} {priority}
    </span>
  );
}
