import { useApp } from '../../platform/store';
import { DataTable } from '../../ui/DataTable';
import { ConnectionTools } from './ConnectionTools';

const CONFIGURE_ROLES = ['engineer', 'admin'];

export function Connections() {
  const connections = useApp((s) => s.connections);
  const session = useApp((s) => s.session);
  const canConfigure = session.state === 'signedIn' && CONFIGURE_ROLES.includes(session.role);
  return (
    <>
      <DataTable
        label="Connections"
        columns={['Connection', 'Protocol', 'Endpoint', 'State', 'Tags', 'Rate /s', 'Latency ms', 'Reconnects', 'Last error']}
        rows={connections}
        rowKey={(c) => c.name}
        rowData={(c) => ({ 'data-state': c.state })}
        cells={(c) => (
          <>
            <td>{c.name}</td>
            <td>{c.protocol}</td>
            <td className="mono">{c.endpoint}</td>
            <td>
              <span className="conn-state" data-state={c.state}>
                {c.state === 'connected' ? '●' : '○'} {c.state}
              </span>
            </td>
            <td className="num">{c.tagCount}</td>
            <td className="num">{c.rate}</td>
            <td className="num">{c.latencyMs ?? '—'}</td>
            <td className="num">{c.reconnects}</td>
            <td>{c.lastError ? `${c.lastError} (${c.lastErrorAt})` : '—'}</td>
          </>
        )}
      />
      {canConfigure ? <ConnectionTools connections={connections} /> : null}
    </>
  );
}
