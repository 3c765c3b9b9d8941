// Audit trail (administrators and engineers): who did what, from where, with what result — setpoint
// writes, configuration changes, sign-ins, refusals. Filtered, paged backwards from the newest, with
// a CSV export, and a check of the hash chain that says whether the log is intact or where it breaks.
import { useId, useState } from 'react';
import type { AuditEntry, AuditVerifyResult } from '../../../../native/api/auth-requests';
import { formatDateTime } from '../../lib/datetime';
import { rangeArgs, toLocalInput } from '../../lib/period';
import { api, errorText } from '../../platform/client';
import { DataTable } from '../../ui/DataTable';
import { FilterBar, Pager, useFilteredPages } from '../../ui/FilterBar';
import { Options } from '../../ui/Options';

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
  return {
    ...rangeArgs(f.from, f.to),
    ...(f.actor.trim() ? { actor: f.actor.trim() } : {}),
    ...(f.action.trim() ? { action: f.action.trim() } : {}),
  };
}

const AUDIT_COLUMNS = ['#', 'Time', 'Actor', 'Origin', 'Action', 'Target', 'Result', 'Details'];

const when = (ms: number) => formatDateTime(ms);

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
  // Pages backwards: each page starts below the oldest id of the one before.
  const pages = useFilteredPages<AuditFilter, AuditEntry, number>({
    initial: () => ({ from: toLocalInput(Date.now() - 86_400_000), to: '', actor: '', action: '', result: '' }),
    fetchPage: (f, beforeId, limit) =>
      api.call('audit.query', {
        ...filterArgs(f),
        ...(f.result ? { result: f.result } : {}),
        ...(beforeId !== undefined ? { beforeId } : {}),
        limit,
      }),
    nextCursor: (shown) => shown.at(-1)?.id,
    exportCsv: (f) => api.call('audit.export', filterArgs(f)),
    unavailable: 'Audit trail unavailable',
    pageSize: PAGE,
  });
  const { filter, set, shown } = pages;
  return (
    <div className="audit">
      <FilterBar label="Audit filter" pages={pages} exportTitle="Exports by time, actor and action (the result filter is not applied)">
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
          <Options values={RESULTS} none="all" />
        </select>
      </FilterBar>
      <Verify />
      <Pager pages={pages} summary={shown.length === 0 ? 'No audit entries match.' : `${shown.length} entries, newest first`} />
      {shown.length > 0 ? (
        <DataTable
          label="Audit trail"
          className="audit-table"
          columns={AUDIT_COLUMNS}
          rows={shown}
          rowKey={(e) => e.id}
          rowData={(e) => ({ 'data-action': e.action, 'data-result': e.result })}
          cells={(e) => (
            <>
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
            </>
          )}
        />
      ) : null}
    </div>
  );
}
