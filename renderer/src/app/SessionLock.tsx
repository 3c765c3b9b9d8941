// Shared control-room PCs: the session locks after a few idle minutes (or on "Lock"), the plant
// stays on screen read-only, and the same user's password unlocks it; anyone else signs out and in.
import { useEffect, useId, useState } from 'react';
import { api, errorText } from '../platform/client';
import { useApp } from '../platform/store';
import { refreshSession } from '../platform/sync';

/** The core locks an idle session after 15 minutes; the window locks sooner, on no keyboard or pointer use. */
const LOCK_AFTER_MS = 10 * 60_000;

export async function lockSession(): Promise<void> {
  await api.call('auth.lock', {}).catch(() => undefined);
  await refreshSession(api);
}

export function useIdleLock(): void {
  const session = useApp((s) => s.session);
  const active = session.state === 'signedIn' && !session.locked;
  useEffect(() => {
    if (!active) return;
    let last = Date.now();
    const seen = () => {
      last = Date.now();
    };
    window.addEventListener('pointerdown', seen);
    window.addEventListener('keydown', seen);
    const timer = setInterval(() => {
      if (Date.now() - last > LOCK_AFTER_MS) lockSession();
    }, 15_000);
    return () => {
      window.removeEventListener('pointerdown', seen);
      window.removeEventListener('keydown', seen);
      clearInterval(timer);
    };
  }, [active]);
}

export function LockBanner() {
  const session = useApp((s) => s.session);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  if (session.state !== 'signedIn' || !session.locked) return null;
  return (
    <form
      className="lock-banner"
      aria-label="Session locked"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await api.call('auth.unlock', { password });
          setPassword('');
          setError(null);
          await refreshSession(api);
        } catch (err) {
          setError(errorText(err));
        }
      }}
    >
      <strong>🔒 Locked — read-only view.</strong> <label htmlFor={id}>Password of {session.user}</label>
      <input id={id} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      <button type="submit" disabled={!password}>
        Unlock
      </button>
      {error ? <span role="alert">{error}</span> : null}
    </form>
  );
}
