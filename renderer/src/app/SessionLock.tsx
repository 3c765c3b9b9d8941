// Shared control-room PCs: the session locks after a few idle minutes (or on "Lock"), the plant
// stays on screen read-only, and the same user's password unlocks it; anyone else signs out and in.
// After an administrator's reset that asked for a new password, the session is read-only the same
// way until the user chooses one here.
import { useEffect, useId, useState } from 'react';
import { api, errorText } from '../platform/client';
import { tooShort, usePasswordPolicy } from '../platform/password-policy';
import { useApp } from '../platform/store';
import { refreshSession } from '../platform/sync';
import { PasswordRules } from '../ui/PasswordRules';

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

/** The required change after an administrator's reset: the temporary password, then the user's own. */
function ChangePassword({ user }: { user: string }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<string | null>(null);
  const policy = usePasswordPolicy();
  const id = useId();
  return (
    <form
      className="lock-banner"
      aria-label="Choose a new password"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await api.call('auth.changePassword', { current, next });
          setCurrent('');
          setNext('');
          setError(null);
          await refreshSession(api);
        } catch (err) {
          setError(errorText(err));
        }
      }}
    >
      <strong>🔒 An administrator reset the password of {user}: choose your own to act (read-only until then).</strong>{' '}
      <label htmlFor={`${id}-c`}>Password given to you</label>
      <input id={`${id}-c`} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
      <label htmlFor={`${id}-n`}>New password</label>
      <input
        id={`${id}-n`}
        type="password"
        autoComplete="new-password"
        value={next}
        onChange={(e) => setNext(e.target.value)}
        aria-describedby={policy ? `${id}-rules` : undefined}
      />
      <button type="submit" disabled={!current || !next || tooShort(policy, next)}>
        Set my password
      </button>
      <PasswordRules id={`${id}-rules`} policy={policy} password={next} />
      {error ? <span role="alert">{error}</span> : null}
    </form>
  );
}

export function LockBanner() {
  const session = useApp((s) => s.session);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  if (session.state === 'signedIn' && !session.locked && session.mustChangePassword) return <ChangePassword user={session.user} />;
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
