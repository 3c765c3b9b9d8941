// Sign-in: user, password and the shift position the operator signs in at (recorded in the audit
// trail). Shown whenever the core says the caller has no session. On a console with no user yet it
// creates the first administrator instead, which needs the one-time setup code the console printed
// on its terminal (serve mode) or shows in its first-run dialog (desktop).
import { useId, useState } from 'react';
import { api, errorText } from '../../platform/client';
import { useApp } from '../../platform/store';

export function SignIn() {
  const session = useApp((s) => s.session);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [position, setPosition] = useState('');
  const [setupCode, setSetupCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const needsSetup = session.state === 'signedOut' && session.needsSetup;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // The setup request creates the account; signing in afterwards gives serve mode its cookie.
      if (needsSetup) await api.call('auth.setup', { user, password, code: setupCode.trim() });
      await api.signIn({ user, password, ...(position.trim() ? { position: position.trim() } : {}) });
      setPassword('');
      setSetupCode('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="sign-in" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{needsSetup ? 'Create the first administrator' : 'Sign in'}</h2>
      {needsSetup ? (
        <p className="notice" role="status">
          This console has no user yet. Enter the setup code the console printed when it started (the desktop shows it in its first-run
          dialog) with the administrator's name and password — or start it with AURUM_ADMIN_USER and AURUM_ADMIN_PASSWORD set, or run{' '}
          <code>aurum user add &lt;name&gt; --role admin</code>.
        </p>
      ) : null}
      {needsSetup ? (
        <>
          <label htmlFor={`${id}-code`}>Setup code</label>
          <input
            id={`${id}-code`}
            autoComplete="one-time-code"
            value={setupCode}
            onChange={(e) => setSetupCode(e.target.value)}
            placeholder="XXXX-XXXX-XXXX-XXXX"
            required
          />
        </>
      ) : null}
      <label htmlFor={`${id}-user`}>User</label>
      <input id={`${id}-user`} autoComplete="username" value={user} onChange={(e) => setUser(e.target.value)} required autoFocus />
      <label htmlFor={`${id}-password`}>Password</label>
      <input
        id={`${id}-password`}
        type="password"
        autoComplete={needsSetup ? 'new-password' : 'current-password'}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        required
      />
      <label htmlFor={`${id}-position`}>Position (optional)</label>
      <input id={`${id}-position`} value={position} onChange={(e) => setPosition(e.target.value)} placeholder="e.g. Control desk 2" />
      <button type="submit" disabled={busy || !user || !password || (needsSetup && !setupCode.trim())}>
        {busy ? 'Signing in…' : needsSetup ? 'Create and sign in' : 'Sign in'}
      </button>
      {error ? (
        <p className="write-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
