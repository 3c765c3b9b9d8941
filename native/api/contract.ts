// The one contract between the core and its clients (renderer over IPC or WebSocket, HTTP routes).
// Each capability declares its requests in its own file here; this file joins them and refuses
// a name declared twice. Request arguments are zod schemas because they are validated wherever
// they cross a process or network boundary; results and events are plain types.
import type { z } from 'zod';
import { type AlarmResults, alarmHttp, alarmRequests } from './alarm-requests.js';
import { type AuthResults, authHttp, authRequests } from './auth-requests.js';
import { type ConfigResults, configHttp, configRequests } from './config-requests.js';
import { type ConnectionResults, connectionHttp, connectionRequests } from './connection-requests.js';
import { type CoreResults, coreHttp, coreRequests } from './core-requests.js';
import { type DisplayEditResults, displayEditHttp, displayEditRequests } from './display-edit-requests.js';
import { type DisplayResults, displayHttp, displayRequests } from './display-requests.js';
import { type EsgResults, esgHttp, esgRequests } from './esg-requests.js';
import type { EventStreams } from './events.js';
import { type HistoryResults, historyHttp, historyRequests } from './history-requests.js';
import type { HttpForms } from './http.js';
import { type PredictionResults, predictionHttp, predictionRequests } from './prediction-requests.js';
import { type SyncResults, syncHttp, syncRequests } from './sync-requests.js';
import { type TagResults, tagHttp, tagRequests } from './tag-requests.js';

function join<T extends Record<string, unknown>[]>(...parts: T): UnionToIntersection<T[number]> {
  const joined: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [name, schema] of Object.entries(part)) {
      if (name in joined) throw new Error(`API request "${name}" is declared twice`);
      joined[name] = schema;
    }
  }
  return joined as UnionToIntersection<T[number]>;
}
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

export const requestSchemas = join(
  coreRequests,
  tagRequests,
  connectionRequests,
  historyRequests,
  esgRequests,
  predictionRequests,
  authRequests,
  alarmRequests,
  syncRequests,
  configRequests,
  displayRequests,
  displayEditRequests,
);

export type RequestName = keyof typeof requestSchemas;

/** Each request's HTTP form (native/api/http.ts), declared beside its schema. */
export const httpForms: HttpForms<typeof requestSchemas> = join(
  coreHttp,
  tagHttp,
  connectionHttp,
  historyHttp,
  esgHttp,
  predictionHttp,
  authHttp,
  alarmHttp,
  syncHttp,
  configHttp,
  displayHttp,
  displayEditHttp,
);
/** What a client passes. */
export type Args<N extends RequestName> = z.input<(typeof requestSchemas)[N]>;
/** What a handler receives, after validation and defaults. */
export type ParsedArgs<N extends RequestName> = z.output<(typeof requestSchemas)[N]>;
export type Results = CoreResults &
  TagResults &
  ConnectionResults &
  HistoryResults &
  EsgResults &
  PredictionResults &
  AuthResults &
  AlarmResults &
  SyncResults &
  ConfigResults &
  DisplayResults &
  DisplayEditResults;
export type Result<N extends RequestName> = Results[N];

/** Who is calling. Filled by the transport; the auth capability decides what a role may do. */
export interface CallContext {
  user: string | null;
  role: string | null;
  origin: 'ipc' | 'ws' | 'http' | 'internal';
  /** The session token the call came with (sign-out, lock and re-sign-in act on it). */
  token?: string;
  /** The peer's network address (login rate limiting, first-run setup from the console itself). */
  address?: string;
}

export type Handler<N extends RequestName> = (args: ParsedArgs<N>, ctx: CallContext) => Result<N> | Promise<Result<N>>;
export type Handlers = { [N in RequestName]: Handler<N> };

export type { EventStreams };
export type StreamName = keyof EventStreams;
