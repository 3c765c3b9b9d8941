// Export from the historian: the pens over a range, raw or aggregated per interval, written by the
// core as a CSV file. Progress arrives on the historyExport stream; the finished file downloads
// from the console; a long export can be cancelled.
import { useEffect, useState } from 'react';
import type { HistoryExportProgress } from '../../../../native/api/history-requests';
import { formatNumber } from '../../lib/format';
import { toLocalInput } from '../../lib/period';
import { api, errorText } from '../../platform/client';
import { DateTimeField } from '../../ui/DateTimeField';

const INTERVALS: { label: string; ms?: number }[] = [
  { label: 'Raw samples' },
  { label: '1-minute aggregates', ms: 60_000 },
  { label: 'Hourly aggregates', ms: 3_600_000 },
];

export function HistoryExport({ pens, defaultRange }: { pens: string[]; defaultRange: { from: number; to: number } }) {
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState(toLocalInput(defaultRange.from, 'second'));
  const [to, setTo] = useState(toLocalInput(defaultRange.to, 'second'));
  const [interval, setInterval_] = useState(0);
  const [job, setJob] = useState<HistoryExportProgress | null>(null);
  const [error, setError] = useState<string | null>(null);

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
      const f = Date.parse(from);
      const t = Date.parse(to);
      if (!(t > f)) throw new Error('"To" must be after "From"');
      setJob(await api.call('history.export', { tags: pens, from: f, to: t, intervalMs: INTERVALS[interval]?.ms }));
    } catch (err) {
      setError(errorText(err));
    }
  };

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} disabled={pens.length === 0}>
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
