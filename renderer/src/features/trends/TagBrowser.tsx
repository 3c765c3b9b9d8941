// A searchable tag list to add pens: type part of a name, unit or description; Enter adds the
// first match. Shows a bounded number of matches so thousands of tags stay instant.
import { useId, useMemo, useState } from 'react';
import type { TagInfo } from '../../../../native/api/types';
import { searchTags } from '../../lib/search';

const SHOWN = 12;

export function TagBrowser({ tags, exclude, onAdd }: { tags: TagInfo[]; exclude: string[]; onAdd: (name: string) => void }) {
  const [query, setQuery] = useState('');
  const id = useId();
  const matches = useMemo(() => searchTags(tags, query).filter((t) => !exclude.includes(t.name)), [tags, query, exclude]);
  return (
    <fieldset className="tag-browser">
      <legend>Add pen</legend>
      <label htmlFor={id}>Search tags</label>
      <input
        id={id}
        type="search"
        value={query}
        placeholder="name, unit or description"
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          const first = matches[0];
          if (e.key === 'Enter' && first) {
            e.preventDefault();
            onAdd(first.name);
          }
        }}
      />
      <ul className="tag-matches" aria-label="Matching tags">
        {matches.slice(0, SHOWN).map((t) => (
          <li key={t.id}>
            <button type="button" className="tag-match" onClick={() => onAdd(t.name)} aria-label={`Add pen ${t.name}`}>
              <span>{t.name}</span> <span className="muted">{t.unit}</span>
            </button>
          </li>
        ))}
      </ul>
      {matches.length > SHOWN ? <p className="muted small">{matches.length - SHOWN} more — refine the search</p> : null}
    </fieldset>
  );
}
