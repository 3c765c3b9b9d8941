// Learning the machine's model from the console: the engineer picks a period (From/To, a preset, or
// by dragging across the machine's trend; the stops and alarm spans in it are shown and left out by
// default) and the tags, starts a learning job, follows its
// progress (or cancels it), reads the candidate's report — false alarm rate on held-back normal data,
// score distribution, contributors, what was left out — and approves (activates) or discards it.
// The machine's model versions are listed below, with roll back (ModelVersions.tsx).
import './learning.css';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { LearnJob, LearnSpans } from '../../../../native/api/prediction-requests';
import { formatNumber } from '../../lib/format';
import { fromLocalInput, type TimeRange, toLocalInput } from '../../lib/period';
import { useDebounced } from '../../lib/useDebounced';
import { api, errorText } from '../../platform/client';
import { useCan } from '../../platform/permissions';
import { predictionActions } from '../../platform/predictions';
import { useApp } from '../../platform/store';
import { DateTimeField } from '../../ui/DateTimeField';
import { TrendChart } from '../../ui/trend/TrendChart';
import { JobOrigin, pct, Report, SpanList, span } from './LearningReport';
import { ModelVersions } from './ModelVersions';

// A running job's progress is read four times a second: the bar moves smoothly, the request is small.
const POLL_MS = 250;
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

function LearningPanel({
  machine,
  changed,
  onChanged,
  onJob,
}: {
  machine: string;
  /** Counts the changes made elsewhere (a candidate approved or discarded from the list): the job is read again. */
  changed: number;
  /** A job ended, or a candidate was approved or discarded here: the versions and candidates are read again. */
  onChanged: () => void;
  onJob: (job: LearnJob | null) => void;
}) {
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
  // A candidate approved or discarded from the list may be the job shown here.
  useEffect(() => {
    if (changed > 0) void poll();
  }, [changed, poll]);
  const running = job?.state === 'running';
  // The list of candidates leaves out the one shown here; a job that ends changes that list.
  const ended = job ? `${job.id}:${job.state}` : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: `ended` (the job's id and state) is the signal.
  useEffect(() => {
    onJob(job);
  }, [ended]);
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
    onChanged();
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
            <strong className="learn-state">{job.state}</strong> · {job.tags.join(', ')}
            {job.message ? ` · ${job.message}` : ''}
            {job.model ? ` · became ${job.model}` : ''}
          </p>
          <JobOrigin job={job} />
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
  const [shown, setShown] = useState<string | null>(null);
  return (
    <section className="machine-learning" aria-label={`Model of ${machine}`}>
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <h3 className="section-title">Model: learning and versions</h3>
        </summary>
        {open ? (
          <>
            <LearningPanel
              machine={machine}
              changed={changed}
              onChanged={() => setChanged((n) => n + 1)}
              onJob={(j) => {
                setShown(j?.state === 'candidate' ? j.id : null);
                setChanged((n) => n + 1);
              }}
            />
            <ModelVersions machine={machine} changed={changed} shown={shown} onActivated={() => setChanged((n) => n + 1)} />
          </>
        ) : null}
      </details>
    </section>
  );
}
