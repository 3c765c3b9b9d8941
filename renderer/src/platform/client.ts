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

/** The text to show for what was thrown: a failed call's ApiCallError carries the core's sentence; anything else shows as its string. */
export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

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
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }
  >();
  private readonly streamListeners = new Set<StreamListener>();
  private readonly linkListeners = new Set<(state: LinkState, info: CoreInfo | null) => void>();
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
        reject(new ApiCallError({ type: 'unavailable', message: 'not connected to the console core' }));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiCallError({ type: 'unavailable', message: `${name}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s` }));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.port.post({ type: 'req', id, name, args });
    });
  }

  /**
   * Sign in. Serve mode: over HTTP, so the browser keeps the session as an HttpOnly cookie that
   * every (re)connection of the socket presents; the socket is then reopened to carry it. Desktop:
   * over the bridge, which binds the session to the shell's connection.
   */
  async signIn(args: Args<'auth.login'>): Promise<Result<'auth.login'>> {
    if (!this.ws) return this.call('auth.login', args);
    const r = await fetch('/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
      credentials: 'same-origin',
    });
    const body: unknown = await r.json().catch(() => null);
    if (!r.ok) {
      const error = (body as { error?: ApiError } | null)?.error;
      throw new ApiCallError(
        error && typeof error.message === 'string' ? error : { type: 'internal', message: `sign-in failed (HTTP ${r.status})` },
      );
    }
    this.reconnect();
    return body as Result<'auth.login'>;
  }

  /** Reopen the socket now (after signing in or out: the handshake carries the session). */
  reconnect(): void {
    const old = this.ws;
    if (!old) return;
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
        if ('error' in msg) p.reject(new ApiCallError(msg.error));
        else p.resolve(msg.data);
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
      p.reject(new ApiCallError({ type: 'unavailable', message: 'connection to the console core lost' }));
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
