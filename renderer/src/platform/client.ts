// The renderer's one way to the core: typed `call(name, args)` and event streams, over whichever
// transport the shell provides — Electron's preload bridge, or a WebSocket in serve mode. It picks
// the transport once at start; nothing else in the UI knows which shell it runs in.
import type { Args, EventStreams, RequestName, Result, StreamName } from '../../../native/api/contract';
import type { ApiError, CoreInfo } from '../../../native/api/types';
import type { ServerMessage } from '../../../native/api/wire';
import './bridge';
import { parseServerMessage } from './envelope';

export type LinkState = 'connecting' | 'online' | 'offline';

export class ApiCallError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

const NOT_CONNECTED = 'not connected to the console core';
const LINK_LOST = 'connection to the console core lost';

/** A sentence starts with a capital and ends with a full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…)]$/.test(first) ? first : `${first}.`;
}

/**
 * The text to show for what was thrown, as a sentence a person can act on: a failed call's
 * ApiCallError carries the core's wording (a failed argument check comes worded by the core, one
 * sentence per field, and is shown as it is); anything else shows as its message. Every screen
 * shows errors through this one function.
 */
export function errorText(err: unknown): string {
  if (err instanceof ApiCallError) {
    const { type, message, fields } = err.error;
    if (type === 'validation' && fields && fields.length > 0)
      return sentence(`Check the entry: ${fields.map((f) => f.message).join('; ')}`);
    if (type === 'unavailable' && message === NOT_CONNECTED)
      return 'Not connected to the console core, so nothing was sent; try again once the link is back.';
    if (type === 'unavailable' && message === LINK_LOST)
      return 'The link to the console core was lost before it answered; check the result once the link is back.';
    return sentence(message);
  }
  return sentence(err instanceof Error ? err.message : String(err));
}

interface Port {
  post(message: unknown): boolean;
  close(): void;
}

type StreamListener = <S extends StreamName>(stream: S, data: EventStreams[S]) => void;

const REQUEST_TIMEOUT_MS = 30_000;

export class ApiClient {
  private port: Port | null = null;
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { name: RequestName; resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }
  >();
  private readonly streamListeners = new Set<StreamListener>();
  private readonly linkListeners = new Set<(state: LinkState, info: CoreInfo | null) => void>();
  private readonly refusedListeners = new Set<(name: RequestName) => void>();
  private retry = 0;
  private closed = false;
  link: LinkState = 'connecting';
  info: CoreInfo | null = null;
  /** Messages from the core that failed validation. */
  malformed = 0;

  constructor(private readonly wsUrl: string | null) {}

  start(): void {
    if (window.aurum) this.openBridge(window.aurum);
    else this.openWebSocket();
  }

  stop(): void {
    this.closed = true;
    this.port?.close();
  }

  call<N extends RequestName>(name: N, args: Args<N>): Promise<Result<N>> {
    const id = this.nextId++;
    return new Promise<Result<N>>((resolve, reject) => {
      if (!this.port || this.link !== 'online') {
        reject(new ApiCallError({ type: 'unavailable', message: NOT_CONNECTED }));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiCallError({ type: 'unavailable', message: `${name}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s` }));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { name, resolve: resolve as (v: unknown) => void, reject, timer });
      this.port.post({ type: 'req', id, name, args });
    });
  }

  /**
   * Sign in. Serve mode: over HTTP, so the browser keeps the session as an HttpOnly cookie that
   * every (re)connection of the socket presents; the socket is then reopened to carry it. Desktop:
   * over the bridge, which binds the session to the shell's connection.
   */
  signIn(args: Args<'auth.login'>): Promise<Result<'auth.login'>> {
    return this.startSession('auth.login', '/api/login', args);
  }

  /** First-run setup: creates the administrator and signs it in, by the same path as signIn (one session, not two). */
  setUp(args: Args<'auth.setup'>): Promise<Result<'auth.setup'>> {
    return this.startSession('auth.setup', '/api/auth/setup', args);
  }

  private async startSession<N extends 'auth.login' | 'auth.setup'>(name: N, path: string, args: Args<N>): Promise<Result<N>> {
    if (!this.ws) {
      const signedIn = await this.call(name, args);
      // The bridge keeps the session per window; a fresh hello makes the stores ask who is signed in.
      this.reconnect();
      return signedIn;
    }
    const r = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
      credentials: 'same-origin',
    });
    const body: unknown = await r.json().catch(() => null);
    if (!r.ok) {
      const error = (body as { error?: ApiError } | null)?.error;
      throw new ApiCallError(
        error && typeof error.message === 'string'
          ? error
          : { type: 'internal', message: `${name === 'auth.setup' ? 'setup' : 'sign-in'} failed (HTTP ${r.status})` },
      );
    }
    this.reconnect();
    return body as Result<N>;
  }

  /** Reopen the socket now (after signing in or out: the handshake carries the session). */
  reconnect(): void {
    const old = this.ws;
    if (!old) {
      // Desktop: the bridge stays; a ping is answered with a hello, after which the stores resynchronise.
      this.port?.post({ type: 'ping', id: 0 });
      return;
    }
    old.onclose = null;
    old.close();
    this.failPending();
    this.retry = 0;
    this.link = 'connecting';
    this.openWebSocket();
  }

  onStream(listener: StreamListener): () => void {
    this.streamListeners.add(listener);
    return () => this.streamListeners.delete(listener);
  }

  /** Called when the core refuses a request for this session's role (not for sign-in requests). */
  onRefused(listener: (name: RequestName) => void): () => void {
    this.refusedListeners.add(listener);
    return () => this.refusedListeners.delete(listener);
  }

  onLink(listener: (state: LinkState, info: CoreInfo | null) => void): () => void {
    this.linkListeners.add(listener);
    listener(this.link, this.info);
    return () => this.linkListeners.delete(listener);
  }

  private setLink(state: LinkState): void {
    this.link = state;
    for (const l of this.linkListeners) l(state, this.info);
  }

  private receive(raw: unknown): void {
    const msg: ServerMessage | null = parseServerMessage(raw);
    if (!msg) {
      this.malformed++;
      return;
    }
    switch (msg.type) {
      case 'hello':
        this.info = msg.info;
        this.retry = 0;
        this.setLink('online');
        break;
      case 'res': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if ('error' in msg) {
          p.reject(new ApiCallError(msg.error));
          // The role changed since the screens last asked (an administrator's change): they ask again.
          if (msg.error.type === 'forbidden' && !p.name.startsWith('auth.')) for (const l of this.refusedListeners) l(p.name);
        } else p.resolve(msg.data);
        break;
      }
      case 'event':
        for (const l of this.streamListeners) l(msg.stream, msg.data as never);
        break;
      case 'pong':
        break;
    }
  }

  private failPending(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ApiCallError({ type: 'unavailable', message: LINK_LOST }));
      this.pending.delete(id);
    }
  }

  private openBridge(bridge: NonNullable<Window['aurum']>): void {
    const off = bridge.onMessage((m) => this.receive(m));
    this.port = {
      post: (m) => {
        bridge.post(m);
        return true;
      },
      close: off,
    };
    bridge.post({ type: 'ping', id: 0 });
  }

  private openWebSocket(): void {
    if (this.closed || !this.wsUrl) return;
    this.setLink(this.retry === 0 && this.link === 'connecting' ? 'connecting' : 'offline');
    const ws = new WebSocket(this.wsUrl);
    this.ws = ws;
    this.port = {
      post: (m) => {
        if (ws.readyState !== WebSocket.OPEN) return false;
        ws.send(JSON.stringify(m));
        return true;
      },
      close: () => ws.close(),
    };
    ws.onmessage = (e) => {
      try {
        this.receive(JSON.parse(String(e.data)));
      } catch {
        this.malformed++;
      }
    };
    ws.onclose = () => {
      this.failPending();
      if (this.closed) return;
      this.setLink('offline');
      // Reconnect with backoff; the UI resynchronises on the next hello.
      const delay = Math.min(5000, 250 * 2 ** this.retry++);
      setTimeout(() => this.openWebSocket(), delay);
    };
  }
}

export function defaultWsUrl(): string | null {
  if (typeof location === 'undefined' || !location.host) return null;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`;
}

export const api = new ApiClient(defaultWsUrl());
