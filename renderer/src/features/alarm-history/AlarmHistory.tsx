// Alarm history: the alarm journal (every activation, clear, acknowledgement, shelve… with who and
// why), filtered and paged, with its CSV export; and the EEMUA 191 / ISA-18.2 performance figures
// (KPIs) of the alarm system over a period, each beside the guidance it is judged against, with the
// time the console actually observed stated beside the period asked for.
import { useEffect, useId, useState } from 'react';
import type { AlarmJournalKind, AlarmKpis, JournalEntry, Priority } from '../../../../native/api/alarm-requests';
import { formatDateTime } from '../../lib/datetime';
import { formatNumber, formatValue } from '../../lib/format';
import { rangeArgs, toLocalInput } from '../../lib/period';
import { PRIORITIES } from '../../platform/alarms';
import { api, errorText } from '../../platform/client';
import { useApp } from '../../platform/store';
import { DataTable } from '../../ui/DataTable';
import { FilterBar, Pager, useFilteredPages } from '../../ui/FilterBar';
import { Options } from '../../ui/Options';
import { PriorityBadge, PriorityFilter } from '../../ui/Priority';

const PAGE = 100;
const KIND_LABEL: Record<AlarmJournalKind, string> = {
  activate: 'Activated',
  clear: 'Cleared',
  ack: 'Acknowledged',
  shelve: 'Shelved',
  unshelve: 'Unshelved',
  suppress: 'Suppressed',
  unsuppress: 'Unsuppressed',
  out_of_service: 'Out of service',
  return_to_service: 'Returned to service',
};
const kinds = Object.keys(KIND_LABEL) as AlarmJournalKind[];
const when = (iso: string) => formatDateTime(iso);
const fixed = (v: number, digits = 1) => formatNumber(v, digits);
const percent = (share: number) => `${fixed(share * 100)} %`;

/** A span as people say it: "12 min", "3 h 20 min", "2 d 4 h", "40 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** "observed 12 min of the requested 24 h": the coverage every KPI figure stands on. */
export function coverageText(k: Pick<AlarmKpis, 'observedMs' | 'requestedMs'>): string {
  if (k.observedMs <= 0) return `the console was not running in the requested ${duration(k.requestedMs)}: no rates`;
  if (k.observedMs >= k.requestedMs) return `observed the whole ${duration(k.requestedMs)}`;
  return `observed ${duration(k.observedMs)} of the requested ${duration(k.requestedMs)} (${percent(k.observedMs / k.requestedMs)})`;
}

/** A journal entry's value and limit at the tag's decimals. */
function EntryValue({ entry }: { entry: JournalEntry }) {
  const tag = useApp((s) => s.tagByName.get(entry.tag));
  return (
    <>
      {formatValue(entry.value, tag)} / {formatValue(entry.limit, tag)}
    </>
  );
}

interface JournalFilter {
  from: string;
  to: string;
  priorities: Priority[];
  kind: AlarmJournalKind | '';
  tag: string;
}

function journalArgs(f: JournalFilter) {
  return {
    ...rangeArgs(f.from, f.to),
    ...(f.priorities.length < PRIORITIES.length ? { priorities: f.priorities } : {}),
    ...(f.kind ? { kinds: [f.kind] } : {}),
    ...(f.tag.trim() ? { tag: f.tag.trim() } : {}),
  };
}

const JOURNAL_COLUMNS = ['Time', 'Priority', 'Tag', 'Event', 'Message', 'Value / limit', 'User', 'Comment'];

function Journal() {
  const id = useId();
  // Pages by offset from the newest entry.
  const pages = useFilteredPages<JournalFilter, JournalEntry, number>({
    initial: () => ({ from: toLocalInput(Date.now() - 86_400_000), to: '', priorities: PRIORITIES, kind: '', tag: '' }),
    fetchPage: (f, offset, limit) => api.call('alarms.journal', { ...journalArgs(f), limit, offset: offset ?? 0 }),
    nextCursor: (_shown, offset) => (offset ?? 0) + PAGE,
    exportCsv: (f) => api.call('alarms.export', journalArgs(f)),
    unavailable: 'Journal unavailable',
    pageSize: PAGE,
  });
  const { filter, set, shown } = pages;
  const offset = pages.cursor ?? 0;
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 className="section-title" id={`${id}-h`}>
        Alarm journal
      </h2>
      <FilterBar label="Journal filter" pages={pages}>
        <PriorityFilter value={filter.priorities} onChange={(priorities) => set({ priorities })} />
        <label htmlFor={`${id}-kind`}>Event</label>
        <select id={`${id}-kind`} value={filter.kind} onChange={(e) => set({ kind: e.target.value as AlarmJournalKind | '' })}>
          <Options values={kinds} label={(k) => KIND_LABEL[k]} none="all" />
        </select>
        <label htmlFor={`${id}-tag`}>Tag</label>
        <input
          id={`${id}-tag`}
          value={filter.tag}
          onChange={(e) => set({ tag: e.target.value })}
          placeholder="path or prefix ending in /"
          size={28}
        />
      </FilterBar>
      <Pager
        pages={pages}
        summary={shown.length === 0 ? 'No journal entries in this range.' : `Entries ${offset + 1}–${offset + shown.length}`}
      />
      {shown.length > 0 ? (
        <DataTable
          label="Alarm journal"
          className="journal-table"
          columns={JOURNAL_COLUMNS}
          rows={shown}
          rowKey={(j) => j.seq}
          rowData={(j) => ({ 'data-kind': j.kind, 'data-alarm': j.alarmId })}
          cells={(j) => (
            <>
              <td className="num">{when(j.ts)}</td>
              <td>
                <PriorityBadge priority={j.priority} />
              </td>
              <td className="mono">{j.tag}</td>
              <td>
                {KIND_LABEL[j.kind]}
                {j.until ? <span className="muted small"> until {when(j.until)}</span> : null}
              </td>
              <td>{j.message}</td>
              <td className="num value-limit">
                <EntryValue entry={j} />
              </td>
              <td>{j.user ?? '—'}</td>
              <td>{j.comment || '—'}</td>
            </>
          )}
        />
      ) : null}
    </section>
  );
}

const KPI_PERIODS = { hour: ['Last hour', 3_600_000], day: ['Last 24 h', 86_400_000], week: ['Last 7 days', 7 * 86_400_000] } as const;
type KpiPeriod = keyof typeof KPI_PERIODS;

/** One figure beside its guidance; `over` marks it (with text, not only colour) when outside it. */
function Figure({ label, value, guidance, over = false }: { label: string; value: string; guidance?: string; over?: boolean }) {
  return (
    <div className="kpi" data-over={over}>
      <dt>{label}</dt>
      <dd>
        <span className="kpi-value num">{value}</span>
        {over ? <span className="kpi-over"> ⚠ above guidance</span> : null}
        {guidance ? <span className="muted small kpi-guidance">{guidance}</span> : null}
      </dd>
    </div>
  );
}

function Kpis() {
  const id = useId();
  const [period, setPeriod] = useState<KpiPeriod>('day');
  const [kpis, setKpis] = useState<AlarmKpis | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    const to = Date.now();
    api
      .call('alarms.kpis', { from: to - KPI_PERIODS[period][1], to })
      .then((k) => {
        if (cancelled) return;
        setKpis(k);
        setError(null);
      })
      .catch((err) => !cancelled && setError(errorText(err)));
    return () => {
      cancelled = true;
    };
  }, [period]);

  return (
    <section aria-labelledby={`${id}-h`} className="alarm-kpis">
      <h2 className="section-title" id={`${id}-h`}>
        Alarm KPIs (EEMUA 191)
      </h2>
      <div className="toolbar">
        <label htmlFor={`${id}-p`}>Period</label>
        <select id={`${id}-p`} value={period} onChange={(e) => setPeriod(e.target.value as KpiPeriod)}>
          {Object.entries(KPI_PERIODS).map(([k, [label]]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
        <span className="muted" role="status">
          {error ? `KPIs unavailable: ${error}` : kpis ? `${when(kpis.from)} – ${when(kpis.to)}` : 'Loading…'}
        </span>
      </div>
      {kpis ? (
        <p className="kpi-coverage" data-observed-ms={kpis.observedMs} data-requested-ms={kpis.requestedMs}>
          Coverage: {coverageText(kpis)}. Rates are per 10 minutes of the time observed, when the console was running and judging alarms.
        </p>
      ) : null}
      {kpis ? (
        <>
          <dl className="kpi-grid" aria-label="Alarm rate and load">
            <Figure
              label="Activations"
              value={String(kpis.activations)}
              guidance={`${Object.entries(kpis.byPriority)
                .map(([p, n]) => `${n} ${p}`)
                .join(', ')}`}
            />
            <Figure
              label="Average per 10 min"
              value={fixed(kpis.averagePer10Min, 2)}
              guidance={`guidance: about 1 per 10 min; over ${duration(kpis.observedMs)} observed`}
              over={kpis.averagePer10Min > 1}
            />
            <Figure
              label="Peak per 10 min"
              value={String(kpis.peakPer10Min)}
              guidance="10 or more is a flood"
              over={kpis.peakPer10Min >= 10}
            />
            <Figure
              label="Time in flood"
              value={percent(kpis.floodShare)}
              guidance={`${kpis.floods.length} flood period${kpis.floods.length === 1 ? '' : 's'} in the time observed; guidance: under 1 %`}
              over={kpis.floodShare > 0.01}
            />
            <Figure label="Unacknowledged now" value={String(kpis.unacknowledged)} />
            <Figure label="Shelved now" value={String(kpis.shelved)} />
            <Figure label="Suppressed now" value={String(kpis.suppressed)} />
            <Figure label="Out of service now" value={String(kpis.outOfService)} />
            <Figure
              label="Chattering"
              value={String(kpis.chattering.length)}
              guidance="≥ 3 in 60 s; guidance: none"
              over={kpis.chattering.length > 0}
            />
            <Figure
              label="Stale (> 24 h)"
              value={String(kpis.stale.length)}
              guidance="guidance: fewer than 5"
              over={kpis.stale.length >= 5}
            />
          </dl>
          {kpis.byArea.length > 0 ? (
            <DataTable
              label="Alarm rate per operator position"
              columns={['Area (operator position)', 'Activations', 'Average per 10 min', 'Peak per 10 min']}
              rows={kpis.byArea}
              rowKey={(a) => a.area}
              cells={(a) => (
                <>
                  <td>{a.area}</td>
                  <td className="num">{a.activations}</td>
                  <td className="num">
                    {fixed(a.averagePer10Min, 2)}
                    {a.averagePer10Min > 1 ? <span className="kpi-over"> ⚠ above guidance</span> : null}
                  </td>
                  <td className="num">
                    {a.peakPer10Min}
                    {a.peakPer10Min >= 10 ? <span className="kpi-over"> ⚠ flood</span> : null}
                  </td>
                </>
              )}
            />
          ) : null}
          <h3 className="section-title">Most frequent alarms</h3>
          {kpis.topTen.length === 0 ? (
            <p className="muted">No activations in this period.</p>
          ) : (
            <DataTable
              label="Most frequent alarms"
              columns={['Priority', 'Tag', 'Alarm', 'Activations', 'Share']}
              rows={kpis.topTen}
              rowKey={(t) => t.id}
              cells={(t) => (
                <>
                  <td>
                    <PriorityBadge priority={t.priority} />
                  </td>
                  <td className="mono">{t.tag}</td>
                  <td className="mono small">{t.id}</td>
                  <td className="num">{t.activations}</td>
                  <td className="num">{percent(t.share)}</td>
                </>
              )}
            />
          )}
          {kpis.floods.length > 0 ? (
            <>
              <h3 className="section-title">Flood periods</h3>
              <DataTable
                label="Flood periods"
                columns={['Start', 'End', 'Activations', 'Peak per 10 min']}
                rows={kpis.floods}
                rowKey={(f) => f.start}
                cells={(f) => (
                  <>
                    <td className="num">{when(f.start)}</td>
                    <td className="num">{when(f.end)}</td>
                    <td className="num">{f.activations}</td>
                    <td className="num">{f.peakPer10Min}</td>
                  </>
                )}
              />
            </>
          ) : null}
          {kpis.chattering.length > 0 ? (
            <>
              <h3 className="section-title">Chattering alarms</h3>
              <DataTable
                label="Chattering alarms"
                columns={['Tag', 'Alarm', 'Activations', 'Most in 60 s']}
                rows={kpis.chattering}
                rowKey={(c) => c.id}
                cells={(c) => (
                  <>
                    <td className="mono">{c.tag}</td>
                    <td className="mono small">{c.id}</td>
                    <td className="num">{c.activations}</td>
                    <td className="num">{c.maxIn60s}</td>
                  </>
                )}
              />
            </>
          ) : null}
          {kpis.stale.length > 0 ? (
            <>
              <h3 className="section-title">Stale alarms</h3>
              <DataTable
                label="Stale alarms"
                columns={['Tag', 'Active since', 'Hours']}
                rows={kpis.stale}
                rowKey={(s) => s.id}
                cells={(s) => (
                  <>
                    <td className="mono">{s.tag}</td>
                    <td className="num">{when(s.activeSince)}</td>
                    <td className="num">{fixed(s.hours)}</td>
                  </>
                )}
              />
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

const VIEWS = { journal: 'Journal', kpis: 'KPIs' } as const;
type View = keyof typeof VIEWS;

export function AlarmHistory() {
  const [view, setView] = useState<View>('journal');
  return (
    <div className="alarm-history" data-view={view}>
      <fieldset className="segmented toolbar">
        <legend className="visually-hidden">View</legend>
        {(Object.keys(VIEWS) as View[]).map((v) => (
          <button key={v} type="button" aria-pressed={view === v} onClick={() => setView(v)}>
            {VIEWS[v]}
          </button>
        ))}
      </fieldset>
      {view === 'journal' ? <Journal /> : <Kpis />}
    </div>
  );
}
