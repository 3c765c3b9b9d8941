// Engineering tools on the Connections screen (engineer and admin): pick OPC UA NodeIds from the
// server's address space, try a Modbus address with a live test read before it becomes a tag, and
// trust a server certificate the console refused, or revoke a trust.
import { useCallback, useEffect, useState } from 'react';
import type { CertificateInfo } from '../../../../native/api/connection-requests';
import type { BrowseNode, ConnectionDiagnostics, TagValue } from '../../../../native/api/types';
import { api, errorText } from '../../platform/client';
import { DataTable } from '../../ui/DataTable';
import { ModbusDecode, MqttDiscover, OpcuaAdd } from './Discover';

/** Variables ticked in the browser (to add them as tags, Discover.tsx OpcuaAdd). */
interface Pick {
  selected: ReadonlySet<string>;
  toggle(nodeId: string): void;
}

function BrowseLevel({ connection, nodeId, depth, pick }: { connection: string; nodeId: string | null; depth: number; pick?: Pick }) {
  const [children, setChildren] = useState<BrowseNode[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Set<string>>(new Set());
  useEffect(() => {
    api.call('connections.browse', { connection, nodeId }).then(setChildren, (err: unknown) => setError(errorText(err)));
  }, [connection, nodeId]);
  if (error) return <p className="write-error">{error}</p>;
  if (!children) return <p className="muted small">Browsing…</p>;
  if (children.length === 0) return <p className="muted small">No children.</p>;
  return (
    <ul className="browse-tree" aria-label={depth === 0 ? `Address space of ${connection}` : undefined}>
      {children.map((c) => {
        const expandable = c.nodeClass === 'Object' || c.nodeClass === 'View';
        const expanded = open.has(c.nodeId);
        return (
          <li key={c.nodeId}>
            {expandable ? (
              <button
                type="button"
                aria-expanded={expanded}
                className="link"
                onClick={() =>
                  setOpen((s) => (s.has(c.nodeId) ? new Set([...s].filter((x) => x !== c.nodeId)) : new Set([...s, c.nodeId])))
                }
              >
                {expanded ? '▾' : '▸'} {c.displayName}
              </button>
            ) : (
              <span>
                {pick && c.nodeClass === 'Variable' ? (
                  <input
                    type="checkbox"
                    aria-label={`Pick ${c.displayName}`}
                    checked={pick.selected.has(c.nodeId)}
                    onChange={() => pick.toggle(c.nodeId)}
                  />
                ) : null}
                {c.displayName} <span className="muted small">{c.dataType ?? c.nodeClass}</span>
                {c.accessLevel ? (
                  <span className="muted small">
                    {' '}
                    ·{' '}
                    {c.accessLevel.writable
                      ? c.accessLevel.readable
                        ? 'read/write'
                        : 'write only'
                      : c.accessLevel.readable
                        ? 'read only'
                        : 'no access'}
                  </span>
                ) : null}
              </span>
            )}{' '}
            <code className="mono node-id">{c.nodeId}</code>
            {expandable && expanded ? (
              <BrowseLevel connection={connection} nodeId={c.nodeId} depth={depth + 1} {...(pick ? { pick } : {})} />
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

const MODBUS_TYPES = ['uint16', 'int16', 'uint32', 'int32', 'float32', 'float64', 'bool', 'string'] as const;

function ModbusTestRead({ connection }: { connection: string }) {
  const [address, setAddress] = useState('40001');
  const [type, setType] = useState<(typeof MODBUS_TYPES)[number]>('float32');
  const [wordOrder, setWordOrder] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const read = async () => {
    try {
      const options: Record<string, unknown> = { type };
      if (wordOrder) options.wordOrder = wordOrder;
      if (type === 'string') options.stringLength = 16;
      const r = await api.call('connections.testRead', { connection, address, options });
      setResult({ ok: true, text: `${r.address} = ${String(r.value as TagValue)}` });
    } catch (err) {
      setResult({ ok: false, text: errorText(err) });
    }
  };
  return (
    <form
      className="toolbar"
      aria-label={`Test read on ${connection}`}
      onSubmit={(e) => {
        e.preventDefault();
        void read();
      }}
    >
      <label>
        Address <input value={address} onChange={(e) => setAddress(e.target.value)} size={10} />
      </label>
      <label>
        Type{' '}
        <select value={type} onChange={(e) => setType(e.target.value as (typeof MODBUS_TYPES)[number])}>
          {MODBUS_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Word order{' '}
        <select value={wordOrder} onChange={(e) => setWordOrder(e.target.value)}>
          <option value="">device default</option>
          {['ABCD', 'CDAB', 'BADC', 'DCBA'].map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      </label>
      <button type="submit">Test read</button>
      {result ? (
        <span className={result.ok ? 'write-ok' : 'write-error'} role="status">
          {result.text}
        </span>
      ) : null}
    </form>
  );
}

function Certificates() {
  const [certs, setCerts] = useState<CertificateInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  // The trusted certificate whose revoke waits for the engineer's confirmation.
  const [revoking, setRevoking] = useState<string | null>(null);
  const refresh = useCallback(() => {
    api.call('connections.certificates', {}).then(setCerts, (err: unknown) => setError(errorText(err)));
  }, []);
  useEffect(refresh, [refresh]);
  const file = (request: 'connections.trustCertificate' | 'connections.revokeCertificate', thumbprint: string) =>
    api.call(request, { thumbprint }).then(
      () => {
        setError(null);
        setRevoking(null);
        refresh();
      },
      (err: unknown) => setError(errorText(err)),
    );
  if (certs.length === 0) return <p className="muted">{error ?? 'No OPC UA server certificates seen yet.'}</p>;
  const pending = certs.find((c) => c.thumbprint === revoking);
  return (
    <>
      {/* A refused trust is said beside the list it concerns, not only when the list is empty. */}
      {error ? (
        <p className="write-error" role="alert">
          {error}
        </p>
      ) : null}
      {pending ? (
        <div className="confirm" role="alertdialog" aria-label="Confirm revoking the trust">
          <p>
            Revoke the trust in {pending.subject}?{' '}
            {pending.connections.length > 0
              ? `${pending.connections.join(', ')} reconnect${pending.connections.length === 1 ? 's' : ''} now and will be refused until it is trusted again.`
              : 'Connections that present it will be refused until it is trusted again.'}
          </p>
          <button type="button" onClick={() => void file('connections.revokeCertificate', pending.thumbprint)}>
            Revoke
          </button>{' '}
          <button type="button" onClick={() => setRevoking(null)}>
            Cancel
          </button>
        </div>
      ) : null}
      <DataTable
        label="OPC UA server certificates"
        columns={['Status', 'Subject', 'Connection', 'Thumbprint (SHA-1)', 'Valid to', 'Action']}
        rows={certs}
        rowKey={(c) => c.thumbprint}
        cells={(c) => (
          <>
            <td>{c.status === 'rejected' ? '⚠ rejected' : 'trusted'}</td>
            <td>{c.subject}</td>
            <td>{c.connections.length > 0 ? c.connections.join(', ') : <span className="muted">not seen since start</span>}</td>
            <td className="mono">{c.thumbprint}</td>
            <td>{c.validTo.slice(0, 10)}</td>
            <td>
              {c.status === 'rejected' ? (
                <button type="button" onClick={() => void file('connections.trustCertificate', c.thumbprint)}>
                  Trust {c.thumbprint.slice(0, 8)}…
                </button>
              ) : (
                <button type="button" onClick={() => setRevoking(c.thumbprint)}>
                  Revoke {c.thumbprint.slice(0, 8)}…
                </button>
              )}
            </td>
          </>
        )}
      />
    </>
  );
}

/** The OPC UA browser with variables to tick, and what the server says of the ticked ones. */
function OpcuaPicker({ connection }: { connection: string }) {
  const [picked, setPicked] = useState<string[]>([]);
  const pick: Pick = {
    selected: new Set(picked),
    toggle: (id) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id])),
  };
  return (
    <>
      <BrowseLevel connection={connection} nodeId={null} depth={0} pick={pick} />
      <OpcuaAdd connection={connection} nodeIds={picked} />
    </>
  );
}

export function ConnectionTools({ connections }: { connections: ConnectionDiagnostics[] }) {
  const tools = connections.filter((c) => c.protocol === 'opcua' || c.protocol === 'modbus' || c.protocol === 'mqtt');
  const [chosen, setChosen] = useState<string>('');
  const selected = tools.find((c) => c.name === chosen) ?? tools[0];
  if (!selected) return null;
  return (
    <section className="connection-tools" aria-label="Tag picker">
      <h2 className="section-title">Tag picker</h2>
      <label>
        Connection{' '}
        <select value={selected.name} onChange={(e) => setChosen(e.target.value)}>
          {tools.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} ({c.protocol})
            </option>
          ))}
        </select>
      </label>
      {selected.protocol === 'opcua' ? (
        <OpcuaPicker key={selected.name} connection={selected.name} />
      ) : selected.protocol === 'mqtt' ? (
        <MqttDiscover key={selected.name} connection={selected.name} />
      ) : (
        <>
          <ModbusTestRead key={selected.name} connection={selected.name} />
          <ModbusDecode key={`${selected.name}-decode`} connection={selected.name} />
        </>
      )}
      <h2 className="section-title">OPC UA server certificates</h2>
      <Certificates />
    </section>
  );
}
