// Bind a tag: search the site's tag list (name, unit, description, connection, address: lib/search)
// or pick a machine and choose among its tags. Only a path of the tag list can be picked.
import { useId, useMemo, useState } from 'react';
import type { MachineInfo, TagInfo } from '../../../../../native/api/types';
import { searchTags } from '../../../lib/search';

const SHOWN = 12;

export function TagPicker({
  label,
  value,
  tags,
  machines,
  disabled,
  onChange,
}: {
  label: string;
  value: string | undefined;
  tags: TagInfo[];
  machines: MachineInfo[];
  disabled: boolean;
  onChange: (path: string | undefined) => void;
}) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [machine, setMachine] = useState('');
  const found = useMemo(() => {
    const of = machine ? tags.filter((t) => t.name.startsWith(`${machine}/`)) : tags;
    return query.trim() === '' && !machine ? [] : searchTags(of, query);
  }, [tags, query, machine]);
  return (
    <fieldset className="tag-picker" disabled={disabled}>
      <legend>{label}</legend>
      <p className="tag-picker-current">
        {value ? <code>{value}</code> : <span className="hint">not bound</span>}{' '}
        {value ? (
          <button type="button" onClick={() => onChange(undefined)} aria-label={`Clear the ${label} binding`}>
            Clear
          </button>
        ) : null}
      </p>
      <label htmlFor={`${id}-m`}>Machine</label>{' '}
      <select id={`${id}-m`} value={machine} onChange={(e) => setMachine(e.target.value)}>
        <option value="">any machine</option>
        {machines.map((m) => (
          <option key={m.name} value={m.name}>
            {m.name}
          </option>
        ))}
      </select>{' '}
      <label htmlFor={`${id}-q`}>Search tags</label>{' '}
      <input id={`${id}-q`} type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" size={18} />
      {found.length > 0 ? (
        <ul className="tag-picker-results" aria-label={`Tags for ${label}`}>
          {found.slice(0, SHOWN).map((t) => (
            <li key={t.name}>
              <button
                type="button"
                aria-label={`Bind ${label} to ${t.name}`}
                onClick={() => {
                  onChange(t.name);
                  setQuery('');
                }}
              >
                {t.name}
                {t.unit ? ` (${t.unit})` : ''}
              </button>
            </li>
          ))}
          {found.length > SHOWN ? <li className="hint">{found.length - SHOWN} more: narrow the search</li> : null}
        </ul>
      ) : query.trim() !== '' || machine ? (
        <p className="hint">No tag matches.</p>
      ) : null}
    </fieldset>
  );
}
