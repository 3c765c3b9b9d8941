// Running / Stopped / Fault from the machine's role tags, shown as text and a shape.
import { useEffect, useState } from 'react';
import type { MachineInfo, TagInfo } from '../../../native/api/types';
import { live } from '../platform/live';

export type MachineStateName = 'Running' | 'Stopped' | 'Fault' | 'No data';

export function machineState(m: MachineInfo, tagByName: Map<string, TagInfo>): MachineStateName {
  const running = m.roles.running ? tagByName.get(m.roles.running) : undefined;
  const trip = m.roles.trip ? tagByName.get(m.roles.trip) : undefined;
  if (trip && live.values[trip.id] === 1 && live.quality[trip.id] !== 2) return 'Fault';
  if (!running) return 'Running';
  if (live.quality[running.id] === 2) return 'No data';
  return live.values[running.id] === 1 ? 'Running' : 'Stopped';
}

export function useMachineState(m: MachineInfo, tagByName: Map<string, TagInfo>): MachineStateName {
  const [state, setState] = useState<MachineStateName>(() => machineState(m, tagByName));
  useEffect(() => live.subscribe(() => setState(machineState(m, tagByName))), [m, tagByName]);
  return state;
}

const SHAPE: Record<MachineStateName, string> = { Running: '▶', Stopped: '■', Fault: '⚠', 'No data': '?' };

export function MachineStateBadge({ state }: { state: MachineStateName }) {
  return (
    <span className="machine-state" data-state={state}>
      <span aria-hidden="true">{SHAPE[state]}</span> {state}
    </span>
  );
}
