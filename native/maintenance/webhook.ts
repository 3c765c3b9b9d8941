// Delivery of a maintenance request to a maintenance system: one JSON POST, bounded by a timeout.
// The outcome is recorded on the request; a failure never fails the request itself.
import type { MaintenanceRequest } from '../api/alarm-requests.js';
import type { WebhookConfig } from './config.js';

export interface WebhookOutcome {
  ok: boolean;
  error: string | null;
}

export async function postRequest(cfg: WebhookConfig, site: string, request: MaintenanceRequest): Promise<WebhookOutcome> {
  try {
    const res = await fetch(cfg.url, {
      method: 'POST',
      headers: { ...cfg.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'maintenance_request', site, request }),
      signal: AbortSignal.timeout(cfg.timeoutMs),
    });
    // Drain the body so the connection can be reused or closed.
    await res.arrayBuffer();
    return res.ok ? { ok: true, error: null } : { ok: false, error: `HTTP ${res.status} ${res.statusText}`.trim() };
  } catch (err) {
    const e = err as Error;
    return { ok: false, error: e.name === 'TimeoutError' ? `no answer within ${cfg.timeoutMs} ms` : e.message };
  }
}
