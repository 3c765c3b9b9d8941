// Sign-in: user, password and the shift position the operator signs in at (recorded in the audit
// trail). Shown whenever the core says the caller has no session. On a console with no user yet it
// creates the first administrator instead, which needs the one-time setup code the console printed
// on its terminal (serve mode) or shows in its first-run dialog (desktop).
import { useId, useState } from 'react';
import { api, errorText } from '../../platform/client';
import { tooShort, usePasswordPolicy } from '../../platform/password-policy';
import { useApp } from '../../platform/store';
import { PasswordRules } from '../../ui/PasswordRules';

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
  const policy = usePasswordPolicy(needsSetup);
  const short = needsSetup && tooShort(policy, password);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Setup creates the administrator and signs it in (serve mode: over HTTP, which sets the cookie).
      if (needsSetup) await api.setUp({ user, password, code: setupCode.trim() });
      else await api.signIn({ user, password, ...(position.trim() ? { position: position.trim() } : {}) });
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
      <h2 id={`${id}-title`}>{needsSetup ? 'Create the administrator' : 'Sign in'}</h2>
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
        aria-describedby={needsSetup && policy ? `${id}-rules` : undefined}
        required
      />
      {needsSetup ? <PasswordRules id={`${id}-rules`} policy={policy} password={password} /> : null}
      {needsSetup ? null : (
        <>
          <label htmlFor={`${id}-position`}>Position (optional)</label>
          <input id={`${id}-position`} value={position} onChange={(e) => setPosition(e.target.value)} placeholder="e.g. Control desk 2" />
        </>
      )}
      <button type="submit" disabled={busy || !user || !password || short || (needsSetup && !setupCode.trim())}>
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
