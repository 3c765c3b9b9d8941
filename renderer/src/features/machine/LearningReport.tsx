// A learning candidate's report and where it came from, shared by the learning job (Learning.tsx)
// and the machine's list of candidates awaiting approval (ModelVersions.tsx): false alarm rate on
// held-back normal data with the model alarm's rule, score distribution, contributors, what was
// left out; and its origin (learned by an engineer, or after a maintenance event), period and when it was made.
import type { LearnJob, LearnReport, LearnSpans } from '../../../../native/api/prediction-requests';
import { formatDateTime } from '../../lib/datetime';
import { formatNumber } from '../../lib/format';

export const pct = (v: number, decimals = 1) => `${formatNumber(100 * v, decimals)} %`;
export const span = (from: number, to: number) => `${formatDateTime(from)} – ${formatDateTime(to)}`;

export function SpanList({ spans, more }: { spans: LearnSpans['spans']; more: number }) {
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

export function Report({ report }: { report: LearnReport }) {
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

/** "Learned by eve" / "Learned after maintenance event 7", the period and when it was made. */
export function originText(job: Pick<LearnJob, 'origin' | 'startedBy'>): string {
  return job.origin === 'maintenance'
    ? `Learned after ${job.startedBy ?? 'a maintenance event'}`
    : `Learned by ${job.startedBy ?? 'the console'}`;
}

export function JobOrigin({ job }: { job: LearnJob }) {
  return (
    <p className="learn-origin" data-origin={job.origin}>
      {originText(job)} · period {span(job.from, job.to)}
      {job.finishedAt !== null ? ` · made ${formatDateTime(job.finishedAt)}` : ` · started ${formatDateTime(job.startedAt)}`}
    </p>
  );
}
