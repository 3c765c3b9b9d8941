import { formatDateTime } from '../../lib/datetime';
import { useCan } from '../../platform/permissions';
import { useApp } from '../../platform/store';
import { DataTable } from '../../ui/DataTable';
import { ConnectionTools } from './ConnectionTools';

export function Connections() {
  const connections = useApp((s) => s.connections);
  // The engineering tools (browse, test reads, certificates), from the core's permission table.
  const canConfigure = useCan('connections.browse');
  // Without the link to the core the states shown are the last known, not the present: say so.
  const linkDown = useApp((s) => s.link !== 'online');
  return (
    <>
      <DataTable
        label="Connections"
        columns={['Connection', 'Protocol', 'Endpoint', 'State', 'Tags', 'Rate /s', 'Latency ms', 'Reconnects', 'Last error']}
        rows={connections}
        rowKey={(c) => c.name}
        rowData={(c) => ({ 'data-state': linkDown ? 'unknown' : c.state })}
        cells={(c) => (
          <>
            <td>{c.name}</td>
            <td>{c.protocol}</td>
            <td className="mono">{c.endpoint}</td>
            <td>
              {linkDown ? (
                <span className="conn-state" data-state="unknown">
                  ? unknown (last known: {c.state})
                </span>
              ) : (
                <span className="conn-state" data-state={c.state}>
                  {c.state === 'connected' ? '●' : '○'} {c.state}
                </span>
              )}
            </td>
            <td className="num">{c.tagCount}</td>
            <td className="num">{c.rate}</td>
            <td className="num">{c.latencyMs ?? '—'}</td>
            <td className="num">{c.reconnects}</td>
            <td>{c.lastError ? `${c.lastError} (${formatDateTime(c.lastErrorAt)})` : '—'}</td>
          </>
        )}
      />
      {canConfigure ? <ConnectionTools connections={connections} /> : null}
    </>
  );
}
