// Cloud sync: whether the uplink is up, what waits in the outbox per stream, when something last
// arrived upstream, and the model packages that wait for an engineer's approval. Pause and resume
// hold the uplink without losing anything (the outbox keeps it).
import { useCallback, useEffect, useState } from 'react';
import type { SyncModelPackage, SyncStatus } from '../../../../native/api/sync-requests';
import { formatDateTime } from '../../lib/datetime';
import { formatNumber } from '../../lib/format';
import { api, errorText } from '../../platform/client';
import { useCan } from '../../platform/permissions';
import { DataTable } from '../../ui/DataTable';

const time = (ms: number | null) => formatDateTime(ms);

export function Sync() {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [models, setModels] = useState<SyncModelPackage[]>([]);
  const [error, setError] = useState<string | null>(null);
  // Pausing the uplink and deciding on models are engineering acts (configure), from the core's table.
  const mayPause = useCan('sync.pause');
  const mayDecide = useCan('sync.models.approve');

  const refresh = useCallback(async () => {
    try {
      const [s, m] = await Promise.all([api.call('sync.status', {}), api.call('sync.models.list', {})]);
      setStatus(s);
      setModels(m);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, []);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 2000);
    return () => clearInterval(timer);
  }, [refresh]);

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      await refresh();
    } catch (err) {
      setError(errorText(err));
    }
  };

  if (!status) return <p className="muted">{error ?? 'Loading…'}</p>;
  return (
    <div className="sync-screen">
      {error ? (
        <p className="write-error" role="alert">
          {error}
        </p>
      ) : null}
      <table className="grid" aria-label="Uplink">
        <tbody>
          <tr>
            <th scope="row">Link</th>
            <td>
              <span
                className="conn-state"
                data-state={
                  status.link === 'connected' || !status.enabled ? 'connected' : status.link === 'backoff' ? 'error' : 'connecting'
                }
              >
                {status.link === 'connected' ? '●' : '○'} {status.enabled ? status.link : 'off (not enabled in the site file)'}
              </span>
              {status.paused ? ' — paused' : ''}
            </td>
          </tr>
          <tr>
            <th scope="row">Broker</th>
            <td className="mono">
              {status.broker || '—'} ({status.format})
            </td>
          </tr>
          <tr>
            <th scope="row">Last delivery</th>
            <td>{time(status.lastDelivery)}</td>
          </tr>
          <tr>
            <th scope="row">Throughput</th>
            <td className="num">
              {formatNumber(status.throughput.messagesPerSecond, 1)} msg/s, {formatNumber(status.throughput.bytesPerSecond / 1024, 1)} KiB/s
              — {status.delivered.messages} delivered since start
            </td>
          </tr>
          <tr>
            <th scope="row">Errors</th>
            <td>
              {status.errors} {status.lastError ? `— last: ${status.lastError.message} (${time(status.lastError.at)})` : ''}
              {status.nextRetryAt ? ` — next attempt ${time(status.nextRetryAt)}` : ''}
            </td>
          </tr>
        </tbody>
      </table>
      {mayPause ? (
        <div className="toolbar">
          <button type="button" disabled={!status.enabled || status.paused} onClick={() => act(() => api.call('sync.pause', {}))}>
            Pause uplink
          </button>
          <button type="button" disabled={!status.enabled || !status.paused} onClick={() => act(() => api.call('sync.resume', {}))}>
            Resume uplink
          </button>
        </div>
      ) : null}
      <h2 className="section-title">Backlog</h2>
      <table className="grid" aria-label="Backlog per stream">
        <thead>
          <tr>
            <th scope="col">Stream</th>
            <th scope="col">Waiting</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(status.backlog).map(([stream, n]) => (
            <tr key={stream}>
              <td>{stream}</td>
              <td className="num">{n}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">Total</th>
            <td className="num">
              {status.backlogTotal} of {status.maxBacklog} ({status.dropped} thinned)
            </td>
          </tr>
        </tbody>
      </table>
      <h2 className="section-title">Model packages received</h2>
      {models.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <DataTable
          label="Model packages"
          columns={['Model', 'SHA-256', 'Received', 'State', 'Decision']}
          rows={models}
          rowKey={(m) => m.key}
          cells={(m) => (
            <>
              <td>{m.key}</td>
              <td className="mono">{m.sha256.slice(0, 16)}…</td>
              <td>{time(m.receivedAt)}</td>
              <td>{m.state}</td>
              <td>
                {m.state === 'pending' && mayDecide ? (
                  <>
                    <button type="button" onClick={() => act(() => api.call('sync.models.approve', { name: m.name, version: m.version }))}>
                      Approve {m.key}
                    </button>{' '}
                    <button
                      type="button"
                      onClick={() =>
                        act(() => api.call('sync.models.reject', { name: m.name, version: m.version, reason: 'rejected by an engineer' }))
                      }
                    >
                      Reject
                    </button>
                  </>
                ) : m.state === 'pending' ? (
                  'waiting for an engineer'
                ) : (
                  `${m.decidedBy ?? ''} ${time(m.decidedAt)}`
                )}
              </td>
            </>
          )}
        />
      )}
    </div>
  );
}
