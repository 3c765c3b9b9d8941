// Finding tags at the source (docs/connectivity.md, "Finding tags at the source"): MQTT discovery
// (listen for a chosen time, the topics' JSON fields or Sparkplug metrics with samples, pick, add),
// OPC UA variables picked in the browser added with the server's name, type, unit and range, and a
// Modbus address decoded in every type and word order, one row added as a tag. Adding goes through
// add-tags.ts: the site file's text in force with the tags in the machine's list, applied live.
import { useEffect, useState } from 'react';
import type { ModbusDecodeTable, MqttDiscoverResult, OpcuaTagAttributes } from '../../../../native/api/connection-requests';
import type { TagDataType } from '../../../../native/api/types';
import { api, errorText } from '../../platform/client';
import { useCan } from '../../platform/permissions';
import { addTags, machinesOn, type NewTag, type SiteMachine } from './add-tags';
import './discover.css';

/** A tag name the site file takes (letters, digits, _ - .), from what the source calls it. */
export function tagName(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'Tag';
}

/** Target machine and Add button: only machines on this connection, only for who may apply. */
function AddBar({ connection, count, onAdd }: { connection: string; count: number; onAdd: (machine: string) => Promise<NewTag[]> }) {
  const canApply = useCan('config.apply');
  const [machines, setMachines] = useState<SiteMachine[] | null>(null);
  const [machine, setMachine] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (!canApply) return;
    machinesOn(connection).then(
      (m) => {
        setMachines(m);
        setMachine(m[0]?.name ?? '');
      },
      (err: unknown) => setStatus({ ok: false, text: errorText(err) }),
    );
  }, [connection, canApply]);
  if (!canApply) return null;
  if (machines && machines.length === 0)
    return <p className="muted small">No machine of the site reads through {connection}: add one before adding its tags.</p>;
  return (
    <fieldset className="toolbar add-bar" aria-label={`Add tags from ${connection}`}>
      <label>
        Machine{' '}
        <select value={machine} onChange={(e) => setMachine(e.target.value)}>
          {(machines ?? []).map((m) => (
            <option key={m.name}>{m.name}</option>
          ))}
        </select>
      </label>
      <button
        type="button"
        disabled={count === 0 || !machine}
        onClick={async () => {
          setStatus(null);
          try {
            const tags = await onAdd(machine);
            const version = await addTags(machine, tags, `added ${tags.map((t) => t.name).join(', ')} from ${connection}`);
            setStatus({ ok: true, text: `Added ${tags.map((t) => `${machine}/${t.name}`).join(', ')} (version ${version})` });
          } catch (err) {
            setStatus({ ok: false, text: errorText(err) });
          }
        }}
      >
        Add {count} as tags
      </button>
      {status ? (
        <span className={status.ok ? 'write-ok' : 'write-error'} role="status">
          {status.text}
        </span>
      ) : null}
    </fieldset>
  );
}

/**
 * The screen listens at most 25 s: the client gives up on an answer after 30 s
 * (platform/client.ts), and the broker connection comes on top. Scripts may ask up to 60 s.
 */
const SCREEN_LISTEN_MAX_S = 25;

export function MqttDiscover({ connection }: { connection: string }) {
  const [filter, setFilter] = useState('');
  const [listenS, setListenS] = useState(5);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<MqttDiscoverResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<Map<string, NewTag>>(new Map());
  const listen = async () => {
    setBusy(true);
    setError(null);
    setPicked(new Map());
    try {
      setResult(await api.call('connections.discoverMqtt', { connection, listenS, ...(filter ? { filter } : {}) }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-label={`Discover topics on ${connection}`}>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void listen();
        }}
      >
        <label>
          Topic filter <input value={filter} placeholder="# (all)" onChange={(e) => setFilter(e.target.value)} size={24} />
        </label>
        <label>
          Listen (s){' '}
          <input
            type="number"
            min={1}
            max={SCREEN_LISTEN_MAX_S}
            value={listenS}
            onChange={(e) => setListenS(Math.min(SCREEN_LISTEN_MAX_S, Math.max(1, Math.trunc(Number(e.target.value)) || 1)))}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? `Listening ${listenS} s…` : 'Discover'}
        </button>
      </form>
      {error ? <p className="write-error">{error}</p> : null}
      {result ? (
        <>
          <p className="muted small">
            {result.topics.length} topic(s) on {result.filter} in {result.listenMs / 1000} s
            {result.topicsNotListed > 0 ? `; ${result.topicsNotListed} more not listed` : ''}
            {result.interrupted ? `; ${result.interrupted}` : ''}
          </p>
          <table className="data-table discover-table" aria-label={`Topics on ${connection}`}>
            <thead>
              <tr>
                <th>Add</th>
                <th>Topic</th>
                <th>Field / metric</th>
                <th>Type</th>
                <th>Sample</th>
              </tr>
            </thead>
            <tbody>
              {result.topics.flatMap((t) =>
                t.fields.length === 0
                  ? [
                      <tr key={t.topic}>
                        <td />
                        <td className="mono">{t.topic}</td>
                        <td colSpan={3} className="muted">
                          {t.problem ?? 'no fields'}
                        </td>
                      </tr>,
                    ]
                  : t.fields.map((f) => {
                      const key = `${t.topic}\u0000${f.path}`;
                      const tag = f.tag;
                      const dataType = f.dataType;
                      return (
                        <tr key={key}>
                          <td>
                            {tag && dataType ? (
                              <input
                                type="checkbox"
                                aria-label={`Add ${t.topic} ${f.path}`}
                                checked={picked.has(key)}
                                onChange={(e) =>
                                  setPicked((p) => {
                                    const next = new Map(p);
                                    if (e.target.checked)
                                      next.set(key, {
                                        name: tagName(
                                          t.kind === 'sparkplug'
                                            ? f.path
                                            : `${t.topic.split('/').pop() ?? ''}_${f.path === '$' ? 'value' : f.path}`,
                                        ),
                                        address: tag.address,
                                        type: dataType,
                                        options: tag.options,
                                      });
                                    else next.delete(key);
                                    return next;
                                  })
                                }
                              />
                            ) : null}
                          </td>
                          <td className="mono">{t.topic}</td>
                          <td className="mono">{f.path}</td>
                          <td>{f.type}</td>
                          <td className="mono">{String(f.sample)}</td>
                        </tr>
                      );
                    }),
              )}
            </tbody>
          </table>
          <AddBar connection={connection} count={picked.size} onAdd={async () => [...picked.values()]} />
        </>
      ) : null}
    </section>
  );
}

/** The OPC UA variables picked in the browser, with what the server says of each, and Add. */
export function OpcuaAdd({ connection, nodeIds }: { connection: string; nodeIds: string[] }) {
  const [attrs, setAttrs] = useState<OpcuaTagAttributes[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (nodeIds.length === 0) {
      setAttrs([]);
      return;
    }
    api.call('connections.tagAttributes', { connection, nodeIds }).then(setAttrs, (err: unknown) => setError(errorText(err)));
  }, [connection, nodeIds]);
  const usable = attrs.filter(
    (a): a is OpcuaTagAttributes & { name: string; tagDataType: TagDataType } =>
      a.problem === null && a.name !== null && a.tagDataType !== null,
  );
  if (nodeIds.length === 0) return <p className="muted small">Tick variables in the address space to add them as tags.</p>;
  return (
    <section aria-label={`Picked variables on ${connection}`}>
      {error ? <p className="write-error">{error}</p> : null}
      <table className="data-table discover-table" aria-label={`Variables to add from ${connection}`}>
        <thead>
          <tr>
            <th>Name</th>
            <th>NodeId</th>
            <th>Type</th>
            <th>Unit</th>
            <th>Range</th>
            <th>Access</th>
          </tr>
        </thead>
        <tbody>
          {attrs.map((a) => (
            <tr key={a.nodeId}>
              <td>{a.name ?? '—'}</td>
              <td className="mono">{a.nodeId}</td>
              <td>{a.problem ?? `${a.dataType} → ${a.tagDataType}`}</td>
              <td>{a.unit ?? '—'}</td>
              <td>{a.range ? `${a.range.low} … ${a.range.high}` : '—'}</td>
              <td>{a.writable === null ? '—' : a.writable ? 'read/write' : 'read only'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <AddBar
        connection={connection}
        count={usable.length}
        onAdd={async () =>
          usable.map((a) => ({
            name: a.name,
            address: a.nodeId,
            type: a.tagDataType,
            ...(a.unit ? { unit: a.unit.slice(0, 32) } : {}),
            ...(a.description ? { description: a.description.slice(0, 256) } : {}),
            ...(a.range && a.range.low < a.range.high ? { range: [a.range.low, a.range.high] as [number, number] } : {}),
          }))
        }
      />
    </section>
  );
}

/** The registers at an address in every type and word order; the row that reads right becomes the tag. */
export function ModbusDecode({ connection }: { connection: string }) {
  const [address, setAddress] = useState('40001');
  const [table, setTable] = useState<ModbusDecodeTable | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [row, setRow] = useState<number | null>(null);
  const [name, setName] = useState('');
  const chosen = table && row !== null ? table.rows[row] : undefined;
  return (
    <section aria-label={`Decode registers on ${connection}`}>
      <form
        className="toolbar"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          setRow(null);
          try {
            setTable(await api.call('connections.decodeModbus', { connection, address }));
          } catch (err) {
            setTable(null);
            setError(errorText(err));
          }
        }}
      >
        <label>
          Register <input value={address} onChange={(e) => setAddress(e.target.value)} size={10} />
        </label>
        <button type="submit">Decode</button>
      </form>
      {error ? <p className="write-error">{error}</p> : null}
      {table ? (
        <>
          <p className="muted small mono">
            {table.address}: {table.registers.map((r) => r.toString(16).padStart(4, '0')).join(' ')}
          </p>
          <table className="data-table discover-table" aria-label={`Decoded ${table.address}`}>
            <thead>
              <tr>
                <th>Use</th>
                <th>Type</th>
                <th>Order</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {table.rows.map((r, i) => (
                <tr key={`${r.type}-${r.order}`}>
                  <td>
                    {r.value !== null ? (
                      <input
                        type="radio"
                        name={`decode-${connection}`}
                        aria-label={`Use ${r.type} ${r.order}`}
                        checked={row === i}
                        onChange={() => setRow(i)}
                      />
                    ) : null}
                  </td>
                  <td>{r.type}</td>
                  <td>{r.order}</td>
                  <td className="mono">{r.value ?? <span className="muted">{r.problem}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {chosen ? (
            <>
              <label>
                Tag name <input value={name} onChange={(e) => setName(e.target.value)} size={20} />
              </label>
              <AddBar
                connection={connection}
                count={name ? 1 : 0}
                onAdd={async () => [
                  {
                    name: tagName(name),
                    address: table.address,
                    type: chosen.type.startsWith('float') ? 'float' : 'int',
                    options: { type: chosen.type, wordOrder: chosen.order },
                  },
                ]}
              />
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
