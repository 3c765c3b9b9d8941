// Learning the machine's model from the console: the engineer picks a period (From/To, a preset, or
// by dragging across the machine's trend; the stops and alarm spans in it are shown and left out by
// default) and the tags, starts a learning job, follows its
// progress (or cancels it), reads the candidate's report — false alarm rate on held-back normal data,
// score distribution, contributors, what was left out — and approves (activates) or discards it.
// The machine's model versions are listed below, with roll back (ModelVersions.tsx).
import './learning.css';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { LearnJob, LearnReport, LearnSpans } from '../../../../native/api/prediction-requests';
import { formatDateTime } from '../../lib/datetime';
import { formatNumber } from '../../lib/format';
import { fromLocalInput, type TimeRange, toLocalInput } from '../../lib/period';
import { useDebounced } from '../../lib/useDebounced';
import { api, errorText } from '../../platform/client';
import { useCan } from '../../platform/permissions';
import { predictionActions } from '../../platform/predictions';
import { useApp } from '../../platform/store';
import { DateTimeField } from '../../ui/DateTimeField';
import { TrendChart } from '../../ui/trend/TrendChart';
import { ModelVersions } from './ModelVersions';

const POLL_MS = 500;
const PRESETS = [
  { label: 'Last 15 min', ms: 15 * 60_000 },
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 h', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
];
const PHASE: Record<LearnJob['phase'], string> = {
  reading: 'reading the history (statistics, excluded spans)',
  covariance: 'fitting (covariance of the windows)',
  scoring: 'scoring the training and held-back windows',
  done: 'done',
};
const pct = (v: number, decimals = 1) => `${formatNumber(100 * v, decimals)} %`;
const span = (from: number, to: number) => `${formatDateTime(from)} – ${formatDateTime(to)}`;

/** The period as a bar: the spans learning leaves out, placed where they fall. */
function PeriodBar({ spans, from, to }: { spans: LearnSpans['spans']; from: number; to: number }) {
  const width = Math.max(1, to - from);
  return (
    <div className="learn-period-bar" role="img" aria-label="Period with the spans left out">
      {spans.map((s) => (
        <div
          key={`${s.reason}-${s.from}`}
          className="learn-period-span"
          data-reason={s.reason}
          title={`${s.reason}: ${s.detail} (${span(s.from, s.to)})`}
          style={{ left: `${(100 * (s.from - from)) / width}%`, width: `${Math.max(0.3, (100 * (s.to - s.from)) / width)}%` }}
        />
      ))}
    </div>
  );
}

function SpanList({ spans, more }: { spans: LearnSpans['spans']; more: number }) {
  if (spans.length === 0) return <p className="muted">Nothing left out: no stop, no alarm, no gap.</p>;
  return (
    <ul className="learn-spans" aria-label="Spans left out">
      {spans.slice(0, 12).map((s) => (
        <li key={`${s.reason}-${s.from}`} data-reason={s.reason}>
          <strong>{s.reason}</strong> {span(s.from, s.to)} <span className="muted">{s.detail}</span>
        </li>
      ))}
      {spans.length + more > 12 ? <li className="muted">… {spans.length + more - 12} more</li> : null}
    </ul>
  );
}

function Report({ report }: { report: LearnReport }) {
  const largest = Math.max(1, ...report.histogram.map((b) => b.count));
  return (
    <section className="learn-report" aria-label="Learning report">
      <dl className="facts">
        <dt>False alarm rate (held-back normal data, with the alarm's rule)</dt>
        <dd className="num learn-far">
          {report.windows.heldBack > 0 ? pct(report.falseAlarmRate, 2) : 'not measured (no held-back window)'}
        </dd>
        <dt>Held-back windows over the threshold (each alone)</dt>
        <dd className="num">{report.windows.heldBack > 0 ? pct(report.windowsAboveRate, 2) : '—'}</dd>
        <dt>Model alarm</dt>
        <dd className="learn-alarm">
          {report.alarm.k} of the last {report.alarm.n} windows over the threshold; threshold {formatNumber(report.alarm.margin, 1)} × the{' '}
          {formatNumber(100 * report.alarm.quantile, 1)} % quantile of {formatNumber(report.windows.calibration, 0)} held-back windows
          {report.alarm.floored ? ' (raised to its floor: 1.5 × the 99th percentile of the windows learned on)' : ''}
        </dd>
        <dt>Windows</dt>
        <dd className="num">
          {formatNumber(report.windows.train, 0)} learned on, {formatNumber(report.windows.calibration, 0)} held back to calibrate the
          threshold, {formatNumber(report.windows.heldBack, 0)} held back to score it
        </dd>
        <dt>Rows</dt>
        <dd className="num">
          {formatNumber(report.rows.read, 0)} read, {formatNumber(report.rows.excluded, 0)} left out
          {report.subsampled ? ' (a long period: read as evenly spread stretches)' : ''}
        </dd>
        <dt>Components</dt>
        <dd className="num">{report.components}</dd>
      </dl>
      <h5>Score distribution (1.0 = the model alarm's threshold)</h5>
      <table className="learn-quantiles">
        <thead>
          <tr>
            <th scope="col">Quantile</th>
            <th scope="col">Learned on</th>
            <th scope="col">Held back</th>
          </tr>
        </thead>
        <tbody>
          {report.quantiles.map((q) => (
            <tr key={q.q}>
              <th scope="row">{q.q === 1 ? 'max' : `${formatNumber(100 * q.q, 1)} %`}</th>
              <td className="num">{formatNumber(q.train, 2)}</td>
              <td className="num">{formatNumber(q.heldBack, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="learn-histogram" role="img" aria-label="Histogram of the held-back scores">
        {report.histogram.map((b) => (
          <div
            key={b.from}
            className="learn-bin"
            data-above={b.from >= 1}
            title={`${formatNumber(b.from, 1)}${b.to === null ? '+' : ` – ${formatNumber(b.to, 1)}`}: ${b.count}`}
            style={{ height: `${(100 * b.count) / largest}%` }}
          />
        ))}
      </div>
      <h5>Contributors (mean share of the held-back scores)</h5>
      <ul className="learn-contributors">
        {report.contributors.slice(0, 8).map((c) => (
          <li key={c.tag}>
            {c.tag} <span className="num">{pct(c.share)}</span>
          </li>
        ))}
      </ul>
      <h5>Left out of the fit</h5>
      <SpanList spans={report.excluded} more={report.excludedMore} />
    </section>
  );
}

function LearningPanel({ machine, onActivated }: { machine: string; onActivated: () => void }) {
  const mayLearn = useCan('models.learn');
  const mayCancel = useCan('models.learn.cancel');
  const mayApprove = useCan('models.learn.approve');
  const mayDiscard = useCan('models.learn.discard');
  const tags = useApp((s) => s.tags);
  // The machine's trend of the last preset's span: dragging across it picks the period.
  const pens = useMemo(
    () => tags.filter((t) => `${t.site}/${t.area}/${t.machine}` === machine && t.dataType !== 'bool' && t.rangeLo !== null).slice(0, 4),
    [tags, machine],
  );
  const [view, setView] = useState<TimeRange>(() => ({ from: Date.now() - 3_600_000, to: Date.now() }));
  const [from, setFrom] = useState(() => toLocalInput(view.from, 'second'));
  const [to, setTo] = useState(() => toLocalInput(view.to, 'second'));
  const [chosen, setChosen] = useState<ReadonlySet<string> | null>(null);
  const [include, setInclude] = useState({ stopped: false, alarms: false });
  const [spans, setSpans] = useState<LearnSpans | null>(null);
  const [job, setJob] = useState<LearnJob | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  // The core's default tags for the machine (its read-only measurements), all ticked until the engineer chooses.
  const candidates = spans?.tags ?? [];
  const selected = chosen ?? new Set(candidates);
  const period = useDebounced({ from: fromLocalInput(from), to: fromLocalInput(to) }, 400);

  // The stops and alarms of the period, as learning will read them.
  useEffect(() => {
    if (!mayLearn || period.from === undefined || period.to === undefined || period.to <= period.from) return;
    let live = true;
    api.call('models.learn.spans', { machine, from: period.from, to: period.to }).then(
      (s) => live && setSpans(s),
      (err) => live && setMessage({ ok: false, text: errorText(err) }),
    );
    return () => {
      live = false;
    };
  }, [machine, period.from, period.to, mayLearn]);

  const poll = useCallback(() => api.call('models.learn.status', { machine }).then(setJob, () => undefined), [machine]);
  useEffect(() => {
    setJob(null);
    void poll();
  }, [poll]);
  const running = job?.state === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(timer);
  }, [running, poll]);

  const act = async (work: () => Promise<unknown>, ok: string) => {
    try {
      await work();
      setMessage({ ok: true, text: ok });
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
    await poll();
  };
  const start = () => {
    const f = fromLocalInput(from);
    const t = fromLocalInput(to);
    if (f === undefined || t === undefined) return setMessage({ ok: false, text: 'Give the period as From and To.' });
    return act(() => api.call('models.learn', { machine, from: f, to: t, tags: [...selected], include }).then(setJob), 'Learning started.');
  };

  if (!mayLearn && !job) return null;
  return (
    <div className="learn-panel">
      {mayLearn ? (
        <form
          className="learn-form"
          aria-label={`Learn a model of ${machine}`}
          onSubmit={(e) => {
            e.preventDefault();
            if (!running) void start();
          }}
        >
          <fieldset className="learn-period">
            <legend>Period of normal operation</legend>
            <label>
              From <DateTimeField value={from} onChange={setFrom} label="Learn from" />
            </label>
            <label>
              To <DateTimeField value={to} onChange={setTo} label="Learn to" />
            </label>
            {PRESETS.map((p) => (
              <button
                key={p.label}
                type="button"
                onClick={() => {
                  const now = Date.now();
                  setView({ from: now - p.ms, to: now });
                  setFrom(toLocalInput(now - p.ms, 'second'));
                  setTo(toLocalInput(now, 'second'));
                }}
              >
                {p.label}
              </button>
            ))}
          </fieldset>
          {pens.length > 0 ? (
            <div className="learn-trend">
              <p className="muted">Drag across the trend to choose the period.</p>
              <TrendChart
                pens={pens}
                windowS={Math.max(60, Math.round((view.to - view.from) / 1000))}
                range={view}
                height={160}
                label={`Trend of ${machine} to choose the learning period`}
                onSelectRange={(r) => {
                  setFrom(toLocalInput(r.from, 'second'));
                  setTo(toLocalInput(r.to, 'second'));
                }}
              />
            </div>
          ) : null}
          {spans && period.from !== undefined && period.to !== undefined ? (
            <div className="learn-excluded">
              <PeriodBar spans={spans.spans} from={spans.from} to={spans.to} />
              <p className="learn-excluded-summary">
                Stopped {formatNumber(spans.stoppedRows, 0)} s, alarms active {formatNumber(spans.alarmRows, 0)} s, no data{' '}
                {formatNumber(spans.noDataRows, 0)} s of {formatNumber(spans.rows, 0)} s
                {spans.subsampled ? ' (a long period: read as evenly spread stretches)' : ''}.
              </p>
              <SpanList spans={spans.spans} more={spans.more} />
              <label>
                <input type="checkbox" checked={include.stopped} onChange={(e) => setInclude({ ...include, stopped: e.target.checked })} />{' '}
                learn on stopped spans too
              </label>{' '}
              <label>
                <input type="checkbox" checked={include.alarms} onChange={(e) => setInclude({ ...include, alarms: e.target.checked })} />{' '}
                learn on alarm spans too
              </label>
            </div>
          ) : null}
          <fieldset className="learn-tags">
            <legend>Tags</legend>
            {candidates.map((t) => (
              <label key={t}>
                <input
                  type="checkbox"
                  checked={selected.has(t)}
                  onChange={(e) => {
                    const next = new Set(selected);
                    if (e.target.checked) next.add(t);
                    else next.delete(t);
                    setChosen(next);
                  }}
                />{' '}
                {t}
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={running || selected.size === 0}>
            Start learning
          </button>
        </form>
      ) : null}
      {message ? (
        <p className={message.ok ? 'write-ok' : 'write-error'} role="status">
          {message.text}
        </p>
      ) : null}
      {job ? (
        <section className="learn-job" aria-label="Learning job" data-state={job.state}>
          <p>
            <strong className="learn-state">{job.state}</strong> · {span(job.from, job.to)} · {job.tags.join(', ')}
            {job.startedBy ? ` · started by ${job.startedBy}` : ''}
            {job.message ? ` · ${job.message}` : ''}
            {job.model ? ` · became ${job.model}` : ''}
          </p>
          {running ? (
            <div className="learn-progress">
              <progress max={1} value={job.fraction} aria-label="Learning progress" /> {pct(job.fraction, 0)} · {PHASE[job.phase]}
              {mayCancel ? (
                <button type="button" onClick={() => void act(() => api.call('models.learn.cancel', { machine }), 'Cancelled.')}>
                  Cancel
                </button>
              ) : null}
            </div>
          ) : null}
          {job.report && (job.state === 'candidate' || job.state === 'approved') ? <Report report={job.report} /> : null}
          {job.state === 'candidate' ? (
            <div className="learn-decision">
              {mayApprove ? (
                <button
                  type="button"
                  className="primary"
                  onClick={() =>
                    void act(async () => {
                      const r = await api.call('models.learn.approve', { machine, job: job.id });
                      predictionActions.setOne(r.state);
                      onActivated();
                    }, 'Approved: the new version is active.')
                  }
                >
                  Approve and activate
                </button>
              ) : null}
              {mayDiscard ? (
                <button
                  type="button"
                  onClick={() => void act(() => api.call('models.learn.discard', { machine, job: job.id }), 'Discarded.')}
                >
                  Discard
                </button>
              ) : null}
            </div>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}

/**
 * The machine's model: learning from the console and its versions. Closed until opened: the trend,
 * the spans and the versions are read only when an engineer looks (the machine screen opens often).
 */
export function ModelLearning({ machine }: { machine: string }) {
  const [changed, setChanged] = useState(0);
  const [open, setOpen] = useState(false);
  return (
    <section className="machine-learning" aria-label={`Model of ${machine}`}>
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <h3 className="section-title">Model: learning and versions</h3>
        </summary>
        {open ? (
          <>
            <LearningPanel machine={machine} onActivated={() => setChanged((n) => n + 1)} />
            <ModelVersions machine={machine} changed={changed} onActivated={() => setChanged((n) => n + 1)} />
          </>
        ) : null}
      </details>
    </section>
  );
}
