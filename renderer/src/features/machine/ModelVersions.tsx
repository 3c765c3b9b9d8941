// The machine's model versions (models.versions): its learned ones and its bound model's, who
// approved each and its held-back false alarm rate; roll back activates an earlier one (audited).
// Above them, the candidates awaiting approval (an engineer's and those learned after maintenance,
// side by side), each with its origin, period, when it was made and its report, approved or
// discarded on its own; the one the learning job above shows is left out here.
import { useEffect, useState } from 'react';
import type { LearnJob, MachineModels } from '../../../../native/api/prediction-requests';
import { formatDateTime } from '../../lib/datetime';
import { formatNumber } from '../../lib/format';
import { api, errorText } from '../../platform/client';
import { useCan } from '../../platform/permissions';
import { predictionActions } from '../../platform/predictions';
import { DataTable } from '../../ui/DataTable';
import { JobOrigin, originText, pct, Report } from './LearningReport';

/** One candidate awaiting approval: where it came from, its false alarm rate, its report on request, approve or discard. */
function Candidate({ machine, job, onDone }: { machine: string; job: LearnJob; onDone: (text: string, ok: boolean) => void }) {
  const mayApprove = useCan('models.learn.approve');
  const mayDiscard = useCan('models.learn.discard');
  const [open, setOpen] = useState(false);
  const act = async (work: () => Promise<unknown>, ok: string) => {
    try {
      await work();
      onDone(ok, true);
    } catch (err) {
      onDone(errorText(err), false);
    }
  };
  const what = `${originText(job)}, ${job.id}`;
  return (
    <li className="learn-candidate" data-origin={job.origin} aria-label={`Candidate ${job.id}`}>
      <JobOrigin job={job} />
      <p>
        False alarm rate (held back){' '}
        <span className="num">{job.report && job.report.windows.heldBack > 0 ? pct(job.report.falseAlarmRate, 2) : '—'}</span> ·{' '}
        {job.tags.join(', ')}
      </p>
      <div className="learn-decision">
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} aria-label={`Report of ${what}`}>
          {open ? 'Hide report' : 'Report'}
        </button>
        {mayApprove ? (
          <button
            type="button"
            className="primary"
            aria-label={`Approve ${what}`}
            onClick={() =>
              void act(async () => {
                const r = await api.call('models.learn.approve', { machine, job: job.id });
                predictionActions.setOne(r.state);
              }, `Approved ${job.id}: ${machine} runs its new version.`)
            }
          >
            Approve
          </button>
        ) : null}
        {mayDiscard ? (
          <button
            type="button"
            aria-label={`Discard ${what}`}
            onClick={() => void act(() => api.call('models.learn.discard', { machine, job: job.id }), `Discarded ${job.id}.`)}
          >
            Discard
          </button>
        ) : null}
      </div>
      {open && job.report ? <Report report={job.report} /> : null}
    </li>
  );
}

export function ModelVersions({
  machine,
  changed,
  shown,
  onActivated,
}: {
  machine: string;
  changed: number;
  /** The candidate the learning job above shows (left out of the list here). */
  shown: string | null;
  onActivated: () => void;
}) {
  const [list, setList] = useState<MachineModels | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const mayRollBack = useCan('models.rollback');
  const waiting = list?.candidates.filter((c) => c.id !== shown) ?? [];

  // biome-ignore lint/correctness/useExhaustiveDependencies: `changed` is the signal to read the list again after an activation.
  useEffect(() => {
    let live = true;
    api.call('models.versions', { machine }).then(
      (v) => live && setList(v),
      (err) => live && setMessage({ ok: false, text: errorText(err) }),
    );
    return () => {
      live = false;
    };
  }, [machine, changed]);

  const rollBack = async (model: string, version: number) => {
    try {
      const state = await api.call('models.rollback', { machine, model, version });
      predictionActions.setOne(state);
      setMessage({ ok: true, text: `Rolled back: ${model}@${version} is active.` });
      onActivated();
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };

  if (!list) return null;
  return (
    <div className="model-versions">
      {message ? (
        <p className={message.ok ? 'write-ok' : 'write-error'} role="status">
          {message.text}
        </p>
      ) : null}
      {waiting.length > 0 ? (
        <section aria-label={`Candidates of ${machine} awaiting approval`}>
          <h4>{shown ? 'Other candidates awaiting approval' : 'Candidates awaiting approval'}</h4>
          <ul className="learn-candidates">
            {waiting.map((c) => (
              <Candidate
                key={c.id}
                machine={machine}
                job={c}
                onDone={(text, ok) => {
                  setMessage({ ok, text });
                  onActivated();
                }}
              />
            ))}
          </ul>
        </section>
      ) : null}
      <h4>Versions</h4>
      {list.versions.length === 0 ? (
        <p className="muted">No model versions for this machine.</p>
      ) : (
        <DataTable
          label={`Model versions of ${machine}`}
          columns={['Version', 'Source', 'Learned on', 'Approved', 'False alarms (held back)', '']}
          rows={list.versions}
          rowKey={(v) => v.key}
          cells={(v) => (
            <>
              <th scope="row">
                {v.key} {v.active ? <strong className="model-active">active</strong> : null}
                {v.error ? <span className="write-error"> {v.error}</span> : null}
              </th>
              <td>{v.source}</td>
              <td>{v.from && v.to ? `${formatDateTime(v.from)} – ${formatDateTime(v.to)}` : '—'}</td>
              <td>{v.approvedBy ? `${v.approvedBy}, ${v.approvedAt ? formatDateTime(v.approvedAt) : ''}` : '—'}</td>
              <td className="num">{v.falseAlarmRate === null ? '—' : `${formatNumber(100 * v.falseAlarmRate, 2)} %`}</td>
              <td>
                {mayRollBack && !v.active && !v.error ? (
                  <button type="button" onClick={() => void rollBack(v.model, v.version)} aria-label={`Roll back to ${v.key}`}>
                    Roll back
                  </button>
                ) : null}
              </td>
            </>
          )}
        />
      )}
    </div>
  );
}
