// The machine's operational log on its screen: maintenance, failures, repairs, calibrations and
// shift notes (who, when, what, parts, downtime), recorded by operators and engineers; and a
// maintenance request sent to the maintenance system from here.
import { useCallback, useEffect, useState } from 'react';
import type { OperationalEvent } from '../../../../native/api/alarm-requests';
import { formatDateTime } from '../../lib/datetime';
import { api, errorText } from '../../platform/client';
import { useCan } from '../../platform/permissions';
import { DataTable } from '../../ui/DataTable';

const KINDS = ['shift_note', 'maintenance', 'repair', 'failure', 'calibration'] as const;
const LABEL: Record<(typeof KINDS)[number], string> = {
  shift_note: 'Shift note',
  maintenance: 'Maintenance',
  repair: 'Repair',
  failure: 'Failure',
  calibration: 'Calibration',
};

export function MachineEvents({ machine }: { machine: string }) {
  const [events, setEvents] = useState<OperationalEvent[]>([]);
  const [kind, setKind] = useState<(typeof KINDS)[number]>('shift_note');
  const [what, setWhat] = useState('');
  const [parts, setParts] = useState('');
  const [downtime, setDowntime] = useState('0');
  const [resetsBaseline, setResetsBaseline] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  // Recording and requesting maintenance act on the plant's record (operate): not offered to a viewer or an ESG analyst.
  const mayRecord = useCan('events.record');
  const mayRequest = useCan('maintenance.request');

  const refresh = useCallback(() => {
    api.call('events.list', { machine, limit: 20 }).then(
      (list) => setEvents([...list].reverse()),
      () => undefined,
    );
  }, [machine]);
  useEffect(refresh, [refresh]);

  const record = async () => {
    try {
      await api.call('events.record', {
        machine,
        kind,
        what,
        parts: parts
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
        downtimeMin: Number(downtime) || 0,
        resetsBaseline,
      });
      setWhat('');
      setParts('');
      setOutcome({ ok: true, text: `${LABEL[kind]} recorded` });
      refresh();
    } catch (err) {
      setOutcome({ ok: false, text: errorText(err) });
    }
  };

  const requestMaintenance = async () => {
    try {
      const r = await api.call('maintenance.request', {
        machine,
        description: what || `Maintenance requested for ${machine}`,
        priority: 'Medium',
      });
      setOutcome({ ok: true, text: `Maintenance request #${r.id} raised (${r.status})` });
    } catch (err) {
      setOutcome({ ok: false, text: errorText(err) });
    }
  };

  return (
    <section className="machine-events" aria-label={`Operational log of ${machine}`}>
      <h3 className="section-title">Operational log</h3>
      {mayRecord || mayRequest ? (
        <form
          className="toolbar"
          aria-label="Record an event"
          onSubmit={(e) => {
            e.preventDefault();
            if (what.trim() && mayRecord) void record();
          }}
        >
          <label>
            Kind{' '}
            <select value={kind} onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {LABEL[k]}
                </option>
              ))}
            </select>
          </label>
          <label>
            What <input value={what} onChange={(e) => setWhat(e.target.value)} size={40} />
          </label>
          <label>
            Parts <input value={parts} onChange={(e) => setParts(e.target.value)} size={16} placeholder="comma-separated" />
          </label>
          <label>
            Downtime (min) <input value={downtime} onChange={(e) => setDowntime(e.target.value)} size={5} inputMode="numeric" />
          </label>
          <label title="The model starts afresh now; a model learned from the ten minutes after the event awaits an engineer's approval (Model: learning and versions).">
            <input type="checkbox" checked={resetsBaseline} onChange={(e) => setResetsBaseline(e.target.checked)} /> relearn the model
            afterwards (awaits approval)
          </label>
          {mayRecord ? (
            <button type="submit" disabled={!what.trim()}>
              Record
            </button>
          ) : null}
          {mayRequest ? (
            <button type="button" onClick={requestMaintenance}>
              Request maintenance
            </button>
          ) : null}
        </form>
      ) : null}
      {outcome ? (
        <p className={outcome.ok ? 'write-ok' : 'write-error'} role="status">
          {outcome.text}
        </p>
      ) : null}
      {events.length === 0 ? (
        <p className="muted">No events recorded.</p>
      ) : (
        <DataTable
          label={`Events of ${machine}`}
          columns={['When', 'Kind', 'What', 'Parts', 'Downtime', 'By']}
          rows={events}
          rowKey={(e) => e.id}
          cells={(e) => (
            <>
              <td>{formatDateTime(e.at)}</td>
              <td>{LABEL[e.kind]}</td>
              <td>{e.what}</td>
              <td>{e.parts.join(', ')}</td>
              <td className="num">{e.downtimeMin} min</td>
              <td>{e.user ?? '—'}</td>
            </>
          )}
        />
      )}
    </section>
  );
}
