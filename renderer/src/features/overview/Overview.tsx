// Overview: every area and machine with its state, key values against their normal ranges, and
// communication status. Grey when normal; only abnormal things take colour.
import { useMemo } from 'react';
import type { MachineInfo, TagInfo } from '../../../../native/api/types';
import { useAlarms } from '../../platform/alarms';
import { navigate } from '../../platform/navigation';
import { useApp } from '../../platform/store';
import { LiveValue } from '../../ui/LiveValue';
import { MachineStateBadge, useMachineState } from '../../ui/MachineState';
import { PriorityBadge } from '../../ui/Priority';
import { RangeBar } from '../../ui/RangeBar';

const KEY_VALUES = 5;

/** The first analog tags with a normal range: what an operator scans first. */
function keyTags(tags: TagInfo[]): TagInfo[] {
  return tags.filter((t) => t.dataType !== 'bool' && t.rangeLo !== null).slice(0, KEY_VALUES);
}

function MachineCard({ machine, tags }: { machine: MachineInfo; tags: TagInfo[] }) {
  const tagByName = useApp((s) => s.tagByName);
  const connections = useApp((s) => s.connections);
  const state = useMachineState(machine, tagByName);
  const rows = useAlarms((s) => s.rows);
  const alarms = useMemo(
    () => rows.filter((a) => a.machine === machine.name && a.state !== 'shelved' && a.state !== 'out_of_service'),
    [rows, machine.name],
  );
  const shortName = machine.name.split('/').pop();
  const conn = tags[0] ? connections.find((c) => c.name === tags[0]?.connection) : undefined;
  return (
    <section className="machine-card" aria-label={`Machine ${shortName}`} data-state={state}>
      <header>
        <button type="button" className="link" onClick={() => navigate('machine', machine.name)}>
          {shortName}
        </button>
        <MachineStateBadge state={state} />
      </header>
      <p className="muted small">{machine.description}</p>
      {alarms.length > 0 ? (
        <p className="machine-alarms">
          <PriorityBadge priority={alarms[0]?.priority ?? 'Low'} /> {alarms.length} alarm{alarms.length > 1 ? 's' : ''}:{' '}
          {alarms[0]?.message}
        </p>
      ) : null}
      <table className="values">
        <tbody>
          {keyTags(tags).map((t) => (
            <tr key={t.id}>
              <th scope="row">{t.name.split('/').pop()}</th>
              <td>
                <LiveValue tag={t} />
              </td>
              <td className="bar-cell">
                <RangeBar tag={t} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {conn && conn.state !== 'connected' ? (
        <p className="comm-fault" role="status">
          ⚠ {conn.name}: {conn.state}
        </p>
      ) : null}
    </section>
  );
}

export function Overview() {
  const machines = useApp((s) => s.machines);
  const tags = useApp((s) => s.tags);
  const areas = [...new Set(machines.map((m) => m.area))];
  return (
    <div className="overview">
      {areas.map((area) => (
        <section key={area} className="area" aria-label={`Area ${area}`}>
          <h2>{area}</h2>
          <div className="machine-grid">
            {machines
              .filter((m) => m.area === area)
              .map((m) => (
                <MachineCard key={m.name} machine={m} tags={tags.filter((t) => `${t.site}/${t.area}/${t.machine}` === m.name)} />
              ))}
          </div>
        </section>
      ))}
    </div>
  );
}
