// Tags & configuration: every tag of the site with its configuration and live value, searchable.
// Read-only: the core has no request to change a tag's configuration yet.
import { useId, useMemo, useState } from 'react';
import { LiveValue } from '../components/LiveValue';
import { searchTags } from '../components/search';
import { useApp } from '../store/app';

/** Rows rendered at once; a search narrows thousands of tags to what the engineer looks for. */
const SHOWN = 200;

const range = (lo: number | null, hi: number | null) => (lo === null && hi === null ? '—' : `${lo ?? '−∞'} … ${hi ?? '∞'}`);

export function Tags() {
  const tags = useApp((s) => s.tags);
  const machines = useApp((s) => s.machines);
  const [query, setQuery] = useState('');
  const [machine, setMachine] = useState('');
  const searchId = useId();
  const machineId = useId();
  const matches = useMemo(
    () => searchTags(tags, query).filter((t) => !machine || `${t.site}/${t.area}/${t.machine}` === machine),
    [tags, query, machine],
  );
  return (
    <div className="tags-screen">
      <div className="toolbar">
        <label htmlFor={searchId}>Search</label>
        <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="name, unit, address…" />
        <label htmlFor={machineId}>Machine</label>
        <select id={machineId} value={machine} onChange={(e) => setMachine(e.target.value)}>
          <option value="">All machines</option>
          {machines.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </select>
        <span className="muted" role="status">
          {matches.length} of {tags.length} tags{matches.length > SHOWN ? ` (first ${SHOWN} shown)` : ''}
        </span>
      </div>
      <table className="grid" aria-label="Tags">
        <thead>
          <tr>
            <th scope="col">Tag</th>
            <th scope="col">Value</th>
            <th scope="col">Description</th>
            <th scope="col">Type</th>
            <th scope="col">Normal range</th>
            <th scope="col">Write limits</th>
            <th scope="col">Connection</th>
            <th scope="col">Address</th>
            <th scope="col">Period ms</th>
          </tr>
        </thead>
        <tbody>
          {matches.slice(0, SHOWN).map((t) => (
            <tr key={t.id} data-tag-row={t.name}>
              <th scope="row" className="mono">
                {t.name}
              </th>
              <td>
                <LiveValue tag={t} />
              </td>
              <td>{t.description}</td>
              <td>{t.dataType}</td>
              <td className="num">{range(t.rangeLo, t.rangeHi)}</td>
              <td className="num">{t.writable ? range(t.writeMin, t.writeMax) : 'read-only'}</td>
              <td>{t.connection}</td>
              <td className="mono">{t.address}</td>
              <td className="num">{t.expectedPeriodMs}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
