// Export from the historian: the pens over the range the trend shows (zoomed or panned; in live mode
// its window up to now) unless the operator types another, raw or aggregated per interval, written by the
// core as a CSV file. Progress arrives on the historyExport stream; the finished file downloads
// from the console; a long export can be cancelled.
import { useEffect, useState } from 'react';
import type { HistoryExportProgress } from '../../../../native/api/history-requests';
import { formatNumber } from '../../lib/format';
import { fromLocalInput, type TimeRange, toLocalInput } from '../../lib/period';
import { api, errorText } from '../../platform/client';
import { useDenied } from '../../platform/permissions';
import { DateTimeField } from '../../ui/DateTimeField';

const INTERVALS: { label: string; ms?: number }[] = [
  { label: 'Raw samples' },
  { label: '1-minute aggregates', ms: 60_000 },
  { label: 'Hourly aggregates', ms: 3_600_000 },
];

/** The range the trend shows: the history range, or the live window ending now. */
const shownRange = (range: TimeRange | null, windowS: number): TimeRange => {
  const now = Date.now();
  return range ?? { from: now - windowS * 1000, to: now };
};

export function HistoryExport({ pens, range, windowS }: { pens: string[]; range: TimeRange | null; windowS: number }) {
  const [open, setOpen] = useState(false);
  // Exact to the millisecond while the fields show the visible range; a field typed replaces its bound.
  const [span, setSpan] = useState<TimeRange>(() => shownRange(range, windowS));
  const from = toLocalInput(span.from, 'second');
  const to = toLocalInput(span.to, 'second');
  const setFrom = (v: string) => {
    const ms = fromLocalInput(v);
    if (ms !== undefined) setSpan((s) => ({ ...s, from: ms }));
  };
  const setTo = (v: string) => {
    const ms = fromLocalInput(v);
    if (ms !== undefined) setSpan((s) => ({ ...s, to: ms }));
  };
  // Zooming or panning while the dialog is open moves the export's range with the chart.
  useEffect(() => {
    if (range) setSpan(range);
  }, [range]);
  const [interval, setInterval_] = useState(0);
  const [job, setJob] = useState<HistoryExportProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Offered by the core's permission table (one source with the gate): disabled, with the reason, where the role may not export.
  const denied = useDenied('history.export');

  useEffect(
    () =>
      api.onStream((stream, data) => {
        if (stream !== 'historyExport') return;
        const p = data as HistoryExportProgress;
        setJob((j) => (j && j.id === p.id ? p : j));
      }),
    [],
  );

  const start = async () => {
    setError(null);
    try {
      if (!(span.to > span.from)) throw new Error('"To" must be after "From"');
      setJob(await api.call('history.export', { tags: pens, from: span.from, to: span.to, intervalMs: INTERVALS[interval]?.ms }));
    } catch (err) {
      setError(errorText(err));
    }
  };

  if (!open) {
    return (
      <button
        type="button"
        onClick={() => {
          setSpan(shownRange(range, windowS));
          setOpen(true);
        }}
        disabled={pens.length === 0 || denied !== null}
        title={denied ?? undefined}
      >
        Export from historian…
      </button>
    );
  }
  return (
    <div className="confirm history-export" role="dialog" aria-label="Export from the historian">
      <p>
        Export {pens.length} pen{pens.length === 1 ? '' : 's'} from the historian as CSV.
      </p>
      <label>
        From <DateTimeField value={from} onChange={setFrom} />
      </label>{' '}
      <label>
        To <DateTimeField value={to} onChange={setTo} />
      </label>{' '}
      <label>
        Data{' '}
        <select value={interval} onChange={(e) => setInterval_(Number(e.target.value))}>
          {INTERVALS.map((o, i) => (
            <option key={o.label} value={i}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <div className="toolbar">
        <button type="button" onClick={start} disabled={job?.state === 'running'}>
          Start export
        </button>
        {job?.state === 'running' ? (
          <button type="button" onClick={() => void api.call('history.exportCancel', { id: job.id })}>
            Cancel export
          </button>
        ) : null}
        <button
          type="button"
          onClick={() => {
            setOpen(false);
            setJob(null);
          }}
        >
          Close
        </button>
      </div>
      {job ? (
        <div role="status" className="export-progress">
          <progress max={1} value={job.progress} aria-label="Export progress" /> {Math.round(job.progress * 100)} % —{' '}
          {formatNumber(job.rows, 0)} rows — {job.state}
          {job.state === 'done' ? (
            <>
              {' '}
              <a href={`api/history/exports/${job.id}.csv`} download>
                Download CSV
              </a>
            </>
          ) : null}
          {job.error ? <span className="write-error"> {job.error}</span> : null}
        </div>
      ) : null}
      {error ? (
        <p className="write-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
