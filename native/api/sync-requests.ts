// Cloud-sync requests: the Sync screen's status (link, backlog per stream, last delivery,
// throughput, errors) and pausing/resuming the uplink. Sync never writes to the plant.
import { z } from 'zod';
import type { SystemMessage } from './events.js';
import type { HttpForms } from './http.js';

export const syncRequests = {
  'sync.status': z.object({}).strict().default({}),
  /** Stop sending (the outbox keeps filling); local operation is unaffected either way. */
  'sync.pause': z.object({}).strict().default({}),
  'sync.resume': z.object({}).strict().default({}),
  /** Model packages received over the downlink, newest first, with their state. */
  'sync.models.list': z.object({}).strict().default({}),
  /** Install a verified pending package into the model folder (it can then be activated per machine). */
  'sync.models.approve': z.object({ name: z.string().min(1), version: z.number().int().min(1) }).strict(),
  'sync.models.reject': z
    .object({ name: z.string().min(1), version: z.number().int().min(1), reason: z.string().max(500).default('') })
    .strict(),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const syncHttp = {
  'sync.status': { method: 'GET', path: '/api/sync/status' },
  'sync.pause': { method: 'POST', path: '/api/sync/pause' },
  'sync.resume': { method: 'POST', path: '/api/sync/resume' },
  'sync.models.list': { method: 'GET', path: '/api/sync/models' },
  'sync.models.approve': { method: 'POST', path: '/api/sync/models/approve' },
  'sync.models.reject': { method: 'POST', path: '/api/sync/models/reject' },
} as const satisfies HttpForms<typeof syncRequests>;

export interface SyncModelPackage {
  /** name@version. */
  key: string;
  name: string;
  version: number;
  /** SHA-256 of model.onnx, verified against the manifest and the site's pinned list. */
  sha256: string;
  state: 'pending' | 'approved' | 'rejected';
  receivedAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  reason: string;
}

export type SyncStreamName = 'alarms' | 'events' | 'aggregates' | 'esg' | 'predictions' | 'raw';

export interface SyncStatus {
  enabled: boolean;
  /** disabled: off in the site file; backoff: waiting before the next connection attempt. */
  link: 'disabled' | 'connecting' | 'connected' | 'backoff' | 'stopped';
  paused: boolean;
  /** Broker URL as configured (it never carries credentials: those are separate fields). */
  broker: string;
  format: 'json' | 'sparkplug';
  /** Messages waiting, per stream. */
  backlog: Record<SyncStreamName, number>;
  backlogTotal: number;
  maxBacklog: number;
  /** Messages thinned by the backlog bound since sync.db was created. */
  dropped: number;
  /** Batches published, not yet acknowledged by the broker. */
  inflight: number;
  /** ms since epoch of the last broker acknowledgement, null before the first. */
  lastDelivery: number | null;
  lastError: { at: number; message: string } | null;
  errors: number;
  reconnects: number;
  /** ms since epoch of the next connection attempt while in backoff. */
  nextRetryAt: number | null;
  /** Since the console started. */
  delivered: { messages: number; bytes: number };
  /** Over the last 10 s. */
  throughput: { messagesPerSecond: number; bytesPerSecond: number };
  /** Model packages waiting for an engineer's decision (0 when the downlink is off). */
  pendingModels: number;
}

/** What sync tells the operator: a console system message (an `error` becomes a system alarm). */
export interface SyncSystemMessage extends SystemMessage {
  source: 'sync';
  code: 'sync.backlog_bound' | 'sync.model_received' | 'sync.model_rejected';
}

export interface SyncResults {
  'sync.status': SyncStatus;
  'sync.pause': SyncStatus;
  'sync.resume': SyncStatus;
  'sync.models.list': SyncModelPackage[];
  'sync.models.approve': SyncModelPackage;
  'sync.models.reject': SyncModelPackage;
}
