// The alarm list (ISA-18.2): unacknowledged first, then by priority. Priority is colour, shape and
// text; the state is written out. Acknowledge one, the selected, or all shown (after a confirmation
// naming how many of each priority), with an optional comment the journal keeps; shelve with a
// reason (the form keeps what was typed when refused); out of service and back for engineers.
// Only the actions the caller's role may take are offered (platform/permissions: the core's table).
import { useMemo, useState } from 'react';
import type { AlarmRow, Priority } from '../../../../native/api/alarm-requests';
import { formatDateTime, formatTime } from '../../lib/datetime';
import { formatValue, NO_VALUE } from '../../lib/format';
import { alarmSummary, countByPriority, describeCounts, PRIORITIES, unacknowledged as unacked, useAlarms } from '../../platform/alarms';
import { api } from '../../platform/client';
import { useCan } from '../../platform/permissions';
import { useApp } from '../../platform/store';
import { PRIORITY_SHAPE, PriorityBadge, PriorityFilter } from '../../ui/Priority';
import { checkMinutes, checkReason, REASON_MAX, refusalText } from './actions';
import './alarms.css';

const STATE_LABEL: Record<string, string> = {
  unack_active: 'Active, unacknowledged',
  ack_active: 'Active, acknowledged',
  unack_rtn: 'Cleared, unacknowledged',
  shelved: 'Shelved',
  suppressed: 'Suppressed',
  out_of_service: 'Out of service',
};

const label = (a: AlarmRow) => `${a.tag} ${a.type}`;

/** Value and limit at the tag's decimals, with its unit: never 17 significant digits or NaN. */
function ValueLimit({ value, limit, tag, unit }: { value: number | null; limit: number | null; tag: string; unit?: string }) {
  const info = useApp((s) => s.tagByName.get(tag));
  const u = unit ?? info?.unit ?? '';
  // A limit is a number on the tag's own scale: the same decimals (a discrete state shows as its label).
  return (
    <>
      {formatValue(value, info)} / {formatValue(limit, info)}
      {u && (value !== null || limit !== null) ? ` ${u}` : ''}
    </>
  );
}

/**
 * One reason-and-submit form (shelve, out of service). What was typed stays when the check or the
 * core refuses; the refusal is shown in the form as a sentence; the form closes only on success.
 */
function ActionForm({
  alarm,
  kind,
  onDone,
  onCancel,
}: {
  alarm: AlarmRow;
  kind: 'shelve' | 'outOfService';
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const [minutes, setMinutes] = useState('60');
  const [reason, setReason] = useState('');
  const [oneShot, setOneShot] = useState(false);
  const [wholeTag, setWholeTag] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shelve = kind === 'shelve';
  const doing = `${shelve ? 'Shelving' : 'Taking out of service'} ${label(alarm)}`;
  const formLabel = `${shelve ? 'Shelve' : 'Take out of service'} ${label(alarm)}`;
  return (
    <form
      className="alarm-action-form"
      aria-label={formLabel}
      data-form={kind}
      onSubmit={async (e) => {
        e.preventDefault();
        const why = checkReason(reason, shelve ? 'shelved' : 'taken out of service');
        const mins = shelve ? checkMinutes(minutes) : ({ ok: true, value: 0 } as const);
        if (!mins.ok || !why.ok) {
          setRefusal([mins.ok ? '' : mins.message, why.ok ? '' : why.message].filter(Boolean).join(' '));
          return;
        }
        setBusy(true);
        try {
          if (shelve) {
            const row = await api.call('alarms.shelve', { id: alarm.id, minutes: mins.value, reason: why.value, oneShot });
            onDone(`Shelved ${label(alarm)} until ${formatDateTime(row.shelvedUntil)}`);
          } else {
            await api.call('alarms.outOfService', { id: alarm.id, reason: why.value, wholeTag });
            onDone(wholeTag ? `Every alarm on ${alarm.tag} is out of service` : `${label(alarm)} is out of service`);
          }
        } catch (err) {
          setRefusal(refusalText(doing, err));
        } finally {
          setBusy(false);
        }
      }}
    >
      {shelve ? (
        <>
          <label>
            Minutes <input inputMode="numeric" value={minutes} onChange={(e) => setMinutes(e.target.value)} size={4} name="minutes" />
          </label>
          <label className="one-shot">
            <input type="checkbox" checked={oneShot} onChange={(e) => setOneShot(e.target.checked)} /> until it next clears
          </label>
        </>
      ) : (
        <label className="one-shot">
          <input type="checkbox" checked={wholeTag} onChange={(e) => setWholeTag(e.target.checked)} /> every alarm on this tag
        </label>
      )}
      <label>
        Reason{' '}
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder={shelve ? 'why it is shelved' : 'why it is out of service'}
          maxLength={REASON_MAX + 100}
          name="reason"
          aria-invalid={refusal !== null || undefined}
        />
      </label>
      <button type="submit" disabled={busy}>
        {shelve ? 'Shelve' : 'Out of service'}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {refusal ? (
        <p className="alarm-action-refusal" role="alert">
          {refusal}
        </p>
      ) : null}
    </form>
  );
}

/** Who masked the alarm, why and (shelved) until when: the state column's second line. */
function MaskNote({ a }: { a: AlarmRow }) {
  if (a.state !== 'shelved' && a.state !== 'out_of_service') return null;
  return (
    <span className="mask-note small">
      {a.state === 'shelved' ? <span className="mask-until">until {formatDateTime(a.shelvedUntil)}</span> : null}
      {a.maskedBy ? <span className="mask-by">by {a.maskedBy}</span> : null}
      {a.maskReason ? <span className="mask-reason">“{a.maskReason}”</span> : null}
    </span>
  );
}

export function Alarms() {
  const rows = useAlarms((s) => s.rows);
  const mayAck = useCan('alarms.ack');
  const mayShelve = useCan('alarms.shelve');
  const mayUnshelve = useCan('alarms.unshelve');
  const mayRemove = useCan('alarms.outOfService');
  const mayReturn = useCan('alarms.returnToService');
  const [priorities, setPriorities] = useState<Priority[]>(PRIORITIES);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<{ id: string; kind: 'shelve' | 'outOfService' } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  // "Acknowledge all shown" asks first; the ids are fixed when asked, so an alarm that arrives while
  // the question is open is not acknowledged unseen.
  const [askAll, setAskAll] = useState<AlarmRow[] | null>(null);
  const shown = useMemo(() => rows.filter((a) => priorities.includes(a.priority)), [rows, priorities]);
  const anyActions = mayAck || mayShelve || mayUnshelve || mayRemove || mayReturn;

  const ack = async (ids: string[]) => {
    if (ids.length === 0) return;
    try {
      const out = await api.call('alarms.ack', { ids, comment: comment.trim() });
      const note = comment.trim() ? ` with the comment “${comment.trim()}”` : '';
      setMessage(`Acknowledged ${out.acknowledged.length}${out.unchanged.length ? `, ${out.unchanged.length} unchanged` : ''}${note}`);
      setSelected(new Set());
      setComment('');
    } catch (err) {
      setMessage(refusalText(`Acknowledging ${ids.length} alarm${ids.length === 1 ? '' : 's'}`, err));
    }
  };
  const act = async (doing: string, call: () => Promise<unknown>, done: string) => {
    try {
      await call();
      setMessage(done);
    } catch (err) {
      setMessage(refusalText(doing, err));
    }
  };

  return (
    <div className="alarms">
      <div className="toolbar">
        <PriorityFilter value={priorities} onChange={setPriorities} />
        {mayAck ? (
          <>
            <label className="ack-comment">
              Comment <span className="muted small">(optional, kept with the acknowledgement)</span>
              <input value={comment} onChange={(e) => setComment(e.target.value)} maxLength={1000} size={28} name="ack-comment" />
            </label>
            <button type="button" disabled={selected.size === 0} onClick={() => ack([...selected])}>
              Acknowledge selected ({selected.size})
            </button>
            <button
              type="button"
              disabled={!shown.some(unacked)}
              onClick={() => setAskAll(shown.filter(unacked))}
              aria-expanded={askAll !== null}
            >
              Acknowledge all shown…
            </button>
          </>
        ) : null}
        <span className="muted" role="status">
          {message ?? `${shown.length} alarm${shown.length === 1 ? '' : 's'}`}
        </span>
      </div>
      {askAll && mayAck ? (
        <div className="confirm ack-all-confirm" role="alertdialog" aria-label="Confirm acknowledging all shown alarms">
          <p>
            Acknowledge {askAll.length} alarm{askAll.length === 1 ? '' : 's'}: <strong>{describeCounts(countByPriority(askAll))}</strong>?
          </p>
          {comment.trim() ? <div className="muted small">With the comment “{comment.trim()}”.</div> : null}
          <button
            type="button"
            onClick={() => {
              const ids = askAll.map((a) => a.id);
              setAskAll(null);
              ack(ids);
            }}
          >
            Acknowledge {askAll.length}
          </button>
          <button type="button" onClick={() => setAskAll(null)}>
            Cancel
          </button>
        </div>
      ) : null}
      {shown.length === 0 ? (
        <p className="muted">No alarms.</p>
      ) : (
        <table className="grid alarm-table" aria-label="Alarms">
          <thead>
            <tr>
              {mayAck ? (
                <th scope="col">
                  <span className="visually-hidden">Select</span>
                </th>
              ) : null}
              <th scope="col">Priority</th>
              <th scope="col">Active since</th>
              <th scope="col">Tag</th>
              <th scope="col">Type</th>
              <th scope="col">Message</th>
              <th scope="col">Value / limit</th>
              <th scope="col">State</th>
              {anyActions ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {shown.map((a) => (
              <tr key={a.id} data-alarm={a.id} data-state={a.state} data-priority={a.priority}>
                {mayAck ? (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select alarm ${label(a)}`}
                      checked={selected.has(a.id)}
                      onChange={(e) => {
                        const next = new Set(selected);
                        if (e.target.checked) next.add(a.id);
                        else next.delete(a.id);
                        setSelected(next);
                      }}
                    />
                  </td>
                ) : null}
                <td>
                  <PriorityBadge priority={a.priority} />
                </td>
                <td className="num active-since">{a.activeSince ? formatDateTime(a.activeSince) : NO_VALUE}</td>
                <td className="mono">{a.tag}</td>
                <td>{a.type}</td>
                <td>{a.message}</td>
                <td className="num value-limit">
                  <ValueLimit value={a.value} limit={a.limit} tag={a.tag} unit={a.unit} />
                </td>
                <td className="alarm-state" data-mask={a.state === 'out_of_service' ? 'out-of-service' : undefined}>
                  {STATE_LABEL[a.state] ?? a.state}
                  {a.ackedBy ? <span className="muted small"> by {a.ackedBy}</span> : null}
                  <MaskNote a={a} />
                </td>
                {anyActions ? (
                  <td className="actions">
                    {mayAck && unacked(a) ? (
                      <button type="button" onClick={() => ack([a.id])} aria-label={`Acknowledge ${label(a)}`}>
                        Ack
                      </button>
                    ) : null}
                    {mayShelve && a.state !== 'shelved' && a.state !== 'out_of_service' ? (
                      <button
                        type="button"
                        onClick={() => setOpen(open?.id === a.id && open.kind === 'shelve' ? null : { id: a.id, kind: 'shelve' })}
                        aria-expanded={open?.id === a.id && open.kind === 'shelve'}
                        aria-label={`Shelve ${label(a)}…`}
                      >
                        Shelve…
                      </button>
                    ) : null}
                    {mayUnshelve && a.state === 'shelved' ? (
                      <button
                        type="button"
                        aria-label={`Unshelve ${label(a)}`}
                        onClick={() =>
                          act(`Unshelving ${label(a)}`, () => api.call('alarms.unshelve', { id: a.id }), `Unshelved ${label(a)}`)
                        }
                      >
                        Unshelve
                      </button>
                    ) : null}
                    {mayRemove && a.state !== 'out_of_service' ? (
                      <button
                        type="button"
                        onClick={() =>
                          setOpen(open?.id === a.id && open.kind === 'outOfService' ? null : { id: a.id, kind: 'outOfService' })
                        }
                        aria-expanded={open?.id === a.id && open.kind === 'outOfService'}
                        aria-label={`Out of service ${label(a)}…`}
                      >
                        Out of service…
                      </button>
                    ) : null}
                    {mayReturn && a.state === 'out_of_service' ? (
                      <button
                        type="button"
                        aria-label={`Return to service ${label(a)}`}
                        onClick={() =>
                          act(
                            `Returning ${label(a)} to service`,
                            () => api.call('alarms.returnToService', { id: a.id }),
                            `${label(a)} is back in service`,
                          )
                        }
                      >
                        Return to service
                      </button>
                    ) : null}
                    {mayReturn &&
                    a.state === 'out_of_service' &&
                    shown.some((o) => o !== a && o.tag === a.tag && o.state === 'out_of_service') ? (
                      <button
                        type="button"
                        aria-label={`Return every alarm on ${a.tag} to service`}
                        onClick={() =>
                          act(
                            `Returning the alarms on ${a.tag} to service`,
                            () => api.call('alarms.returnToService', { id: a.id, wholeTag: true }),
                            `Every alarm on ${a.tag} is back in service`,
                          )
                        }
                      >
                        Return whole tag
                      </button>
                    ) : null}
                    {open?.id === a.id ? (
                      <ActionForm
                        key={open.kind}
                        alarm={a}
                        kind={open.kind}
                        onCancel={() => setOpen(null)}
                        onDone={(m) => {
                          setMessage(m);
                          setOpen(null);
                        }}
                      />
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

// The header has room for the time of day only (the list shows the full date and time).
const since = (a: AlarmRow) => formatTime(a.activeSince ?? a.changedAt);

function PriorityCounts({ counts }: { counts: Record<Priority, number> }) {
  return PRIORITIES.filter((p) => counts[p] > 0).map((p) => (
    <span key={p} className="priority" data-priority={p}>
      <span aria-hidden="true">{PRIORITY_SHAPE[p]}</span> {counts[p]} {p}
    </span>
  ));
}

/**
 * The top bar's alarm summary, always shown: unacknowledged alarms per priority, the standing ones
 * (active and acknowledged) per priority, and the unacknowledged alarm waiting longest; a click
 * opens the list. While the link to the core is down the figures are the last known and say so.
 */
export function AlarmSummary({ onOpen, stale }: { onOpen: () => void; stale: boolean }) {
  const rows = useAlarms((s) => s.rows);
  const { unacknowledged, standing, oldest } = useMemo(() => alarmSummary(rows), [rows]);
  const total = PRIORITIES.reduce((a, p) => a + unacknowledged[p], 0);
  const standingTotal = PRIORITIES.reduce((a, p) => a + standing[p], 0);
  return (
    <button
      type="button"
      className="alarm-summary"
      data-count={total}
      data-standing={standingTotal}
      data-stale={stale || undefined}
      onClick={onOpen}
      title="Open the alarm list"
    >
      <span className="unacked">{total === 0 ? 'No unacknowledged alarms' : <PriorityCounts counts={unacknowledged} />}</span>
      <span className="standing">
        {standingTotal === 0 ? (
          'none standing'
        ) : (
          <>
            Standing: <PriorityCounts counts={standing} />
          </>
        )}
      </span>
      {oldest ? (
        <span className="oldest">
          oldest {oldest.tag} {oldest.type} since {since(oldest)}
        </span>
      ) : null}
      {stale ? <span className="stale-note">(last known)</span> : null}
    </button>
  );
}
