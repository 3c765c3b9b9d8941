import { useApp } from '../../platform/store';
import { ConnectionTools } from './ConnectionTools';

const CONFIGURE_ROLES = ['engineer', 'admin'];

export function Connections() {
  const connections = useApp((s) => s.connections);
  const session = useApp((s) => s.session);
  const canConfigure = session.state === 'signedIn' && CONFIGURE_ROLES.includes(session.role);
  return (
    <>
      <table className="grid" aria-label="Connections">
        <thead>
          <tr>
            <th scope="col">Connection</th>
            <th scope="col">Protocol</th>
            <th scope="col">Endpoint</th>
            <th scope="col">State</th>
            <th scope="col">Tags</th>
            <th scope="col">Rate /s</th>
            <th scope="col">Latency ms</th>
            <th scope="col">Reconnects</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {connections.map((c) => (
            <tr key={c.name} data-state={c.state}>
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
            </tr>
          ))}
        </tbody>
      </table>
      {canConfigure ? <ConnectionTools connections={connections} /> : null}
    </>
  );
}
