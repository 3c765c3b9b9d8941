// The machine's model versions (models.versions): its learned ones and its bound model's, who
// approved each and its held-back false alarm rate; roll back activates an earlier one (audited).
import { useEffect, useState } from 'react';
import type { MachineModels } from '../../../../native/api/prediction-requests';
import { formatDateTime } from '../../lib/datetime';
import { formatNumber } from '../../lib/format';
import { api, errorText } from '../../platform/client';
import { useCan } from '../../platform/permissions';
import { predictionActions } from '../../platform/predictions';
import { DataTable } from '../../ui/DataTable';

export function ModelVersions({ machine, changed, onActivated }: { machine: string; changed: number; onActivated: () => void }) {
  const [list, setList] = useState<MachineModels | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const mayRollBack = useCan('models.rollback');

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
      <h4>Versions</h4>
      {message ? (
        <p className={message.ok ? 'write-ok' : 'write-error'} role="status">
          {message.text}
        </p>
      ) : null}
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
