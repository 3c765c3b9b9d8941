// Audit trail (administrators and engineers): who did what, from where, with what result — setpoint
// writes, configuration changes, sign-ins, refusals. Filtered, paged backwards from the newest, with
// a CSV export, and a check of the hash chain that says whether the log is intact or where it breaks.
import { useCallback, useEffect, useId, useState } from 'react';
import type { AuditEntry, AuditVerifyResult } from '../../../../native/api/auth-requests';
import { download } from '../../lib/download';
import { errorText, fromLocalInput, toLocalInput } from '../../lib/period';
import { useDebounced } from '../../lib/useDebounced';
import { api } from '../../platform/client';

const PAGE = 100;
type AuditResult = AuditEntry['result'];
const RESULTS: AuditResult[] = ['ok', 'denied', 'failed'];
const RESULT_MARK: Record<AuditResult, string> = { ok: '✓', denied: '⛔', failed: '✕' };

interface AuditFilter {
  from: string;
  to: string;
  actor: string;
  action: string;
  result: AuditResult | '';
}

function filterArgs(f: AuditFilter) {
  const from = fromLocalInput(f.from);
  const to = fromLocalInput(f.to);
  return {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(f.actor.trim() ? { actor: f.actor.trim() } : {}),
    ...(f.action.trim() ? { action: f.action.trim() } : {}),
  };
}

const when = (ms: number) => new Date(ms).toLocaleString('en-GB');

/** The details object in one line: old → new value, reason… as the acting capability recorded them. */
function detailsText(d: Record<string, unknown>): string {
  return Object.entries(d)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('; ');
}

function Verify() {
  const [result, setResult] = useState<AuditVerifyResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const verify = async () => {
    try {
      setResult(await api.call('audit.verify', {}));
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div className="toolbar audit-verify" data-verified={result ? String(result.ok) : undefined}>
      <button type="button" onClick={verify}>
        Verify chain
      </button>
      <span role="status" className={result && !result.ok ? 'verify-broken' : undefined}>
        {error
          ? `Verification unavailable: ${error}`
          : result === null
            ? ''
            : result.ok
              ? `✓ Chain intact: ${result.entries} entries, head ${result.head.slice(0, 12)}…`
              : `✕ Chain broken at entry ${result.firstBadId ?? '?'}: ${result.reason ?? 'hash mismatch'} (${result.entries} entries)`}
      </span>
    </div>
  );
}

export function Audit() {
  const id = useId();
  const [filter, setFilter] = useState<AuditFilter>(() => ({
    from: toLocalInput(Date.now() - 86_400_000),
    to: '',
    actor: '',
    action: '',
    result: '',
  }));
  // Paging backwards: each page starts below the oldest id of the one before.
  const [pages, setPages] = useState<number[]>([]);
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const set = (patch: Partial<AuditFilter>) => {
    setFilter((f) => ({ ...f, ...patch }));
    setPages([]);
  };
  const beforeId = pages.at(-1);

  const query = useDebounced(filter);
  const load = useCallback(async () => {
    try {
      const r = await api.call('audit.query', {
        ...filterArgs(query),
        ...(query.result ? { result: query.result } : {}),
        ...(beforeId !== undefined ? { beforeId } : {}),
        limit: PAGE + 1,
      });
      setRows(r);
      setStatus(null);
    } catch (err) {
      setStatus(`Audit trail unavailable: ${errorText(err)}`);
    }
  }, [query, beforeId]);
  useEffect(() => {
    load();
  }, [load]);

  const exportCsv = async () => {
    try {
      const r = await api.call('audit.export', filterArgs(filter));
      download(r.filename, new Blob([r.body], { type: r.contentType }));
      setStatus(`Exported ${r.filename}`);
    } catch (err) {
      setStatus(`Export refused: ${errorText(err)}`);
    }
  };

  const shown = rows.slice(0, PAGE);
  const oldest = shown.at(-1)?.id;
  return (
    <div className="audit">
      <form
        className="toolbar"
        aria-label="Audit filter"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="datetime-local" value={filter.from} onChange={(e) => set({ from: e.target.value })} />
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="datetime-local" value={filter.to} onChange={(e) => set({ to: e.target.value })} />
        <label htmlFor={`${id}-actor`}>Actor</label>
        <input id={`${id}-actor`} value={filter.actor} onChange={(e) => set({ actor: e.target.value })} size={12} autoComplete="off" />
        <label htmlFor={`${id}-action`}>Action</label>
        <input
          id={`${id}-action`}
          value={filter.action}
          onChange={(e) => set({ action: e.target.value })}
          placeholder="prefix, e.g. tags."
          size={16}
          autoComplete="off"
        />
        <label htmlFor={`${id}-result`}>Result</label>
        <select id={`${id}-result`} value={filter.result} onChange={(e) => set({ result: e.target.value as AuditResult | '' })}>
          <option value="">all</option>
          {RESULTS.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button type="submit">Refresh</button>
        <button type="button" onClick={exportCsv} title="Exports by time, actor and action (the result filter is not applied)">
          Export CSV
        </button>
      </form>
      <Verify />
      <div className="toolbar">
        <button type="button" disabled={pages.length === 0} onClick={() => setPages(pages.slice(0, -1))}>
          ← Newer
        </button>
        <button
          type="button"
          disabled={rows.length <= PAGE || oldest === undefined}
          onClick={() => oldest !== undefined && setPages([...pages, oldest])}
        >
          Older →
        </button>
        <span className="muted" role="status">
          {status ?? (shown.length === 0 ? 'No audit entries match.' : `${shown.length} entries, newest first`)}
        </span>
      </div>
      {shown.length > 0 ? (
        <table className="grid audit-table" aria-label="Audit trail">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Origin</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Result</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.id} data-action={e.action} data-result={e.result}>
                <td className="num">{e.id}</td>
                <td className="num">{when(e.ts)}</td>
                <td>{e.actor}</td>
                <td className="small">{e.origin}</td>
                <td className="mono">{e.action}</td>
                <td className="mono">{e.target}</td>
                <td className="audit-result" data-result={e.result}>
                  <span aria-hidden="true">{RESULT_MARK[e.result]}</span> {e.result}
                </td>
                <td className="small audit-details">{detailsText(e.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
