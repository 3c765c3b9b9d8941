// The alarm list (ISA-18.2): unacknowledged first, then by priority. Priority is colour, shape and
// text; the state is written out. Acknowledge one, the selected, or all shown (after a confirmation
// naming how many of each priority); shelve with a reason.
import { useMemo, useState } from 'react';
import type { AlarmRow, Priority } from '../../../../native/api/alarm-requests';
import { formatDateTime } from '../../lib/datetime';
import { alarmSummary, countByPriority, describeCounts, PRIORITIES, unacknowledged as unacked, useAlarms } from '../../platform/alarms';
import { api, errorText } from '../../platform/client';
import { PRIORITY_SHAPE, PriorityBadge, PriorityFilter } from '../../ui/Priority';

const STATE_LABEL: Record<string, string> = {
  unack_active: 'Active, unacknowledged',
  ack_active: 'Active, acknowledged',
  unack_rtn: 'Cleared, unacknowledged',
  shelved: 'Shelved',
  suppressed: 'Suppressed',
  out_of_service: 'Out of service',
};

const time = (iso: string | null) => formatDateTime(iso);

function ShelveForm({ alarm, onDone }: { alarm: AlarmRow; onDone: (message: string) => void }) {
  const [minutes, setMinutes] = useState('60');
  const [reason, setReason] = useState('');
  return (
    <form
      className="shelve"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await api.call('alarms.shelve', { id: alarm.id, minutes: Number(minutes), reason });
          onDone(`Shelved ${alarm.tag} for ${minutes} min`);
        } catch (err) {
          onDone(`Shelving refused: ${errorText(err)}`);
        }
      }}
    >
      <label>
        Minutes <input inputMode="numeric" value={minutes} onChange={(e) => setMinutes(e.target.value)} size={4} />
      </label>
      <label>
        Reason <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="why" />
      </label>
      <button type="submit">Shelve</button>
    </form>
  );
}

export function Alarms() {
  const rows = useAlarms((s) => s.rows);
  const [priorities, setPriorities] = useState<Priority[]>(PRIORITIES);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [shelving, setShelving] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // "Acknowledge all shown" asks first; the ids are fixed when asked, so an alarm that arrives while
  // the question is open is not acknowledged unseen.
  const [askAll, setAskAll] = useState<AlarmRow[] | null>(null);
  const shown = useMemo(() => rows.filter((a) => priorities.includes(a.priority)), [rows, priorities]);

  const ack = async (ids: string[]) => {
    if (ids.length === 0) return;
    try {
      const out = await api.call('alarms.ack', { ids });
      setMessage(`Acknowledged ${out.acknowledged.length}${out.unchanged.length ? `, ${out.unchanged.length} unchanged` : ''}`);
      setSelected(new Set());
    } catch (err) {
      setMessage(`Acknowledge refused: ${errorText(err)}`);
    }
  };

  return (
    <div className="alarms">
      <div className="toolbar">
        <PriorityFilter value={priorities} onChange={setPriorities} />
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
        <span className="muted" role="status">
          {message ?? `${shown.length} alarm${shown.length === 1 ? '' : 's'}`}
        </span>
      </div>
      {askAll ? (
        <div className="confirm ack-all-confirm" role="alertdialog" aria-label="Confirm acknowledging all shown alarms">
          <p>
            Acknowledge {askAll.length} alarm{askAll.length === 1 ? '' : 's'}: <strong>{describeCounts(countByPriority(askAll))}</strong>?
          </p>
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
              <th scope="col">
                <span className="visually-hidden">Select</span>
              </th>
              <th scope="col">Priority</th>
              <th scope="col">Active since</th>
              <th scope="col">Tag</th>
              <th scope="col">Type</th>
              <th scope="col">Message</th>
              <th scope="col">Value / limit</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((a) => (
              <tr key={a.id} data-alarm={a.id} data-state={a.state} data-priority={a.priority}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select alarm ${a.tag} ${a.type}`}
                    checked={selected.has(a.id)}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if (e.target.checked) next.add(a.id);
                      else next.delete(a.id);
                      setSelected(next);
                    }}
                  />
                </td>
                <td>
                  <PriorityBadge priority={a.priority} />
                </td>
                <td className="num">{time(a.activeSince)}</td>
                <td className="mono">{a.tag}</td>
                <td>{a.type}</td>
                <td>{a.message}</td>
                <td className="num">
                  {a.value ?? '—'} / {a.limit ?? '—'} {a.unit}
                </td>
                <td className="alarm-state">
                  {STATE_LABEL[a.state] ?? a.state}
                  {a.ackedBy ? <span className="muted small"> by {a.ackedBy}</span> : null}
                </td>
                <td className="actions">
                  {unacked(a) ? (
                    <button type="button" onClick={() => ack([a.id])} aria-label={`Acknowledge ${a.tag} ${a.type}`}>
                      Ack
                    </button>
                  ) : null}
                  {a.state !== 'shelved' ? (
                    <button type="button" onClick={() => setShelving(shelving === a.id ? null : a.id)} aria-expanded={shelving === a.id}>
                      Shelve…
                    </button>
                  ) : (
                    <button type="button" onClick={() => api.call('alarms.unshelve', { id: a.id }).catch(() => undefined)}>
                      Unshelve
                    </button>
                  )}
                  {shelving === a.id ? (
                    <ShelveForm
                      alarm={a}
                      onDone={(m) => {
                        setMessage(m);
                        setShelving(null);
                      }}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const since = (a: AlarmRow) => time(a.activeSince ?? a.changedAt);

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
