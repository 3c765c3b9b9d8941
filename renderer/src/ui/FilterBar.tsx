// A filtered, paged list from the core with its CSV export: the journal and audit screens' one way
// to filter a period, page back through it and export what the filter selects.
//   useFilteredPages  the filter, the page shown, the status line, Refresh and Export
//   FilterBar         the filter form: From / To, the screen's own fields, Refresh, Export CSV
//   Pager             ← Newer / Older → and the status line
import { Fragment, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { download } from '../lib/download';
import { useDebounced } from '../lib/useDebounced';
import { errorText } from '../platform/client';
import { DateTimeField } from './DateTimeField';

/** A file the core wrote for an export request. */
export interface CsvFile {
  filename: string;
  body: string;
  contentType: string;
}

export interface FilteredPagesOptions<F, R, C> {
  initial: () => F;
  /** At most `limit` rows of the page that starts at `cursor` (undefined: the first page). */
  fetchPage: (filter: F, cursor: C | undefined, limit: number) => Promise<R[]>;
  /** Where the page after `shown` starts; undefined when there is none. */
  nextCursor: (shown: R[], cursor: C | undefined) => C | undefined;
  exportCsv: (filter: F) => Promise<CsvFile>;
  /** What the status line says when a page cannot be loaded, before the reason ("Journal unavailable"). */
  unavailable: string;
  pageSize: number;
}

export interface FilteredPages<F, R, C> {
  filter: F;
  /** Change the filter; paging starts again from the first page. */
  set: (patch: Partial<F>) => void;
  /** The rows of the page shown. */
  shown: R[];
  cursor: C | undefined;
  /** A load or export outcome to show instead of the screen's own summary; null when there is none. */
  status: string | null;
  load: () => Promise<void>;
  exportCsv: () => Promise<void>;
  hasNewer: boolean;
  hasOlder: boolean;
  newer: () => void;
  older: () => void;
}

/**
 * A sentence as the clause after "…: " in the status line ("Journal unavailable: the core refused"):
 * an ordinary first word lower-cased (a name or an abbreviation such as OPC kept), the final stop dropped.
 */
function clause(sentence: string): string {
  const s = sentence.replace(/\.$/, '');
  return /^[A-Z][a-z]/.test(s) ? s[0]?.toLowerCase() + s.slice(1) : s;
}

export function useFilteredPages<F, R, C>(options: FilteredPagesOptions<F, R, C>): FilteredPages<F, R, C> {
  // The latest options without making them an effect dependency: screens pass new closures each render.
  const opts = useRef(options);
  opts.current = options;
  const page = options.pageSize;
  const [filter, setFilter] = useState<F>(options.initial);
  // Where each page after the first starts: Older pushes, Newer pops.
  const [pages, setPages] = useState<C[]>([]);
  const [rows, setRows] = useState<R[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const cursor = pages.at(-1);

  // Free-text fields query once per pause in typing.
  const query = useDebounced(filter);
  const load = useCallback(async () => {
    try {
      // One more than a page tells whether there is a next page without a count query.
      setRows(await opts.current.fetchPage(query, cursor, page + 1));
      setStatus(null);
    } catch (err) {
      setStatus(`${opts.current.unavailable}: ${clause(errorText(err))}`);
    }
  }, [query, cursor, page]);
  useEffect(() => {
    load();
  }, [load]);

  const shown = rows.slice(0, page);
  const next = opts.current.nextCursor(shown, cursor);
  return {
    filter,
    set: (patch) => {
      setFilter((f) => ({ ...f, ...patch }));
      setPages([]);
    },
    shown,
    cursor,
    status,
    load,
    // The export takes the filter as shown, not the debounced one.
    exportCsv: async () => {
      try {
        const r = await opts.current.exportCsv(filter);
        download(r.filename, new Blob([r.body], { type: r.contentType }));
        setStatus(`Exported ${r.filename}`);
      } catch (err) {
        setStatus(`Export refused: ${clause(errorText(err))}`);
      }
    },
    hasNewer: pages.length > 0,
    hasOlder: rows.length > page && next !== undefined,
    newer: () => setPages(pages.slice(0, -1)),
    older: () => {
      if (next !== undefined) setPages([...pages, next]);
    },
  };
}

const PERIOD_ENDS = [
  ['from', 'From'],
  ['to', 'To'],
] as const;

/** The filter form: a period (From / To in the console's date format: DateTimeField), the screen's own fields, Refresh and Export CSV. */
export function FilterBar<F extends { from: string; to: string }>({
  label,
  pages,
  exportTitle,
  children,
}: {
  label: string;
  pages: Pick<FilteredPages<F, unknown, unknown>, 'filter' | 'set' | 'load' | 'exportCsv'>;
  /** Says what the export leaves out, when it does not take every field of the filter. */
  exportTitle?: string;
  children?: ReactNode;
}) {
  const id = useId();
  return (
    <form
      className="toolbar"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        pages.load();
      }}
    >
      {PERIOD_ENDS.map(([end, label]) => (
        <Fragment key={end}>
          <label htmlFor={`${id}-${end}`}>{label}</label>
          <DateTimeField id={`${id}-${end}`} value={pages.filter[end]} onChange={(v) => pages.set({ [end]: v } as Partial<F>)} />
        </Fragment>
      ))}
      {children}
      <button type="submit">Refresh</button>
      <button type="button" onClick={pages.exportCsv} title={exportTitle}>
        Export CSV
      </button>
    </form>
  );
}

/** ← Newer / Older → and the status line: the outcome of the last load or export, else `summary`. */
export function Pager({
  pages,
  summary,
}: {
  pages: Pick<FilteredPages<unknown, unknown, unknown>, 'status' | 'hasNewer' | 'hasOlder' | 'newer' | 'older'>;
  summary: string;
}) {
  return (
    <div className="toolbar">
      <button type="button" disabled={!pages.hasNewer} onClick={pages.newer}>
        ← Newer
      </button>
      <button type="button" disabled={!pages.hasOlder} onClick={pages.older}>
        Older →
      </button>
      <span className="muted" role="status">
        {pages.status ?? summary}
      </span>
    </div>
  );
}
