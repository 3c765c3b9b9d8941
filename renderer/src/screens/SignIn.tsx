// Sign-in: user, password and the shift position the operator signs in at (recorded in the audit
// trail). Shown whenever the core says the caller has no session.
import { useId, useState } from 'react';
import { api } from '../api/client';
import { useApp } from '../store/app';

export function SignIn() {
  const session = useApp((s) => s.session);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [position, setPosition] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const needsSetup = session.state === 'signedOut' && session.needsSetup;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.signIn({ user, password, ...(position.trim() ? { position: position.trim() } : {}) });
      setPassword('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="sign-in" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Sign in</h2>
      {needsSetup ? (
        <p className="notice" role="status">
          This console has no user yet. Start it with AURUM_ADMIN_USER and AURUM_ADMIN_PASSWORD set, or run{' '}
          <code>aurum user add &lt;name&gt; --role admin</code>.
        </p>
      ) : null}
      <label htmlFor={`${id}-user`}>User</label>
      <input id={`${id}-user`} autoComplete="username" value={user} onChange={(e) => setUser(e.target.value)} required autoFocus />
      <label htmlFor={`${id}-password`}>Password</label>
      <input
        id={`${id}-password`}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        required
      />
      <label htmlFor={`${id}-position`}>Position (optional)</label>
      <input id={`${id}-position`} value={position} onChange={(e) => setPosition(e.target.value)} placeholder="e.g. Control desk 2" />
      <button type="submit" disabled={busy || !user || !password}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {error ? (
        <p className="write-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
