// Users (administrators): accounts with their role and state, new accounts, role changes (asked
// first, naming the user and both roles), password resets (the user's sessions end; optionally a new
// password is required at the next sign-in), disabling and lifting lockouts, and who is signed in at
// which position — idle sessions apart, each one endable. Every change is made by the core, which
// validates it (password policy included) and writes it to the audit trail.
import { useCallback, useEffect, useId, useState } from 'react';
import type { RoleName, SessionInfo, UserInfo } from '../../../../native/api/auth-requests';
import { formatDateTime } from '../../lib/datetime';
import { api, errorText } from '../../platform/client';
import { tooShort, usePasswordPolicy } from '../../platform/password-policy';
import { DataTable } from '../../ui/DataTable';
import { Options } from '../../ui/Options';
import { PasswordRules } from '../../ui/PasswordRules';
import './users.css';

/** Every role, checked complete by its type (a runtime import of the contract would pull zod into the UI). */
const ROLE_LABELS: Record<RoleName, string> = {
  viewer: 'viewer',
  operator: 'operator',
  engineer: 'engineer',
  esg_analyst: 'esg_analyst',
  admin: 'admin',
};
const roleNames = Object.keys(ROLE_LABELS) as RoleName[];

const when = (ms: number | null) => formatDateTime(ms);

function NewUser({ onDone }: { onDone: (text: string) => void }) {
  const [user, setUser] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<RoleName>('operator');
  const [password, setPassword] = useState('');
  const id = useId();
  return (
    <form
      className="toolbar"
      aria-label="New user"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await api.call('auth.users.create', { user, role, password, ...(displayName ? { displayName } : {}) });
          onDone(`Created ${user} (${role})`);
          setUser('');
          setPassword('');
          setDisplayName('');
        } catch (err) {
          onDone(`Refused: ${errorText(err)}`);
        }
      }}
    >
      <label htmlFor={`${id}-u`}>User</label>
      <input id={`${id}-u`} value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" />
      <label htmlFor={`${id}-n`}>Name</label>
      <input id={`${id}-n`} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
      <label htmlFor={`${id}-r`}>Role</label>
      <select id={`${id}-r`} value={role} onChange={(e) => setRole(e.target.value as RoleName)}>
        {roleNames.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-p`}>Password</label>
      <input id={`${id}-p`} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
      <button type="submit" disabled={!user || !password}>
        Create user
      </button>
    </form>
  );
}

/** What the administrator is asked to confirm before it is sent. */
type Pending = { kind: 'role'; user: string; from: RoleName; to: RoleName } | { kind: 'reset'; user: string };

const sessionsOf = (sessions: readonly SessionInfo[], user: string) => sessions.filter((s) => s.user === user).length;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function RoleChange({ p, onDone }: { p: Extract<Pending, { kind: 'role' }>; onDone: (args: { role: RoleName } | null) => void }) {
  return (
    <div className="confirm" role="alertdialog" aria-label="Confirm role change">
      <p>
        Change the role of <strong>{p.user}</strong> from <strong>{p.from}</strong> to <strong>{p.to}</strong>? It applies to their next
        request.
      </p>
      <button type="button" onClick={() => onDone({ role: p.to })}>
        Change role to {p.to}
      </button>
      <button type="button" onClick={() => onDone(null)}>
        Cancel
      </button>
    </div>
  );
}

function PasswordReset({
  user,
  openSessions,
  onDone,
}: {
  user: string;
  openSessions: number;
  onDone: (args: { password: string; mustChangePassword: boolean } | null) => void;
}) {
  const [password, setPassword] = useState('');
  const [mustChange, setMustChange] = useState(true);
  const policy = usePasswordPolicy();
  const id = useId();
  return (
    <form
      className="confirm password-reset"
      aria-label={`Reset the password of ${user}`}
      onSubmit={(e) => {
        e.preventDefault();
        onDone({ password, mustChangePassword: mustChange });
      }}
    >
      <p>
        Give <strong>{user}</strong> a new password.{' '}
        {openSessions > 0 ? `Their ${plural(openSessions, 'open session')} end now.` : 'They have no open session.'} The reset is written to
        the audit trail (never the password).
      </p>
      <label htmlFor={`${id}-p`}>New password for {user}</label>
      <input
        id={`${id}-p`}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-describedby={policy ? `${id}-rules` : undefined}
      />
      <label htmlFor={`${id}-m`}>
        <input id={`${id}-m`} type="checkbox" checked={mustChange} onChange={(e) => setMustChange(e.target.checked)} /> {user} must choose a
        new password at the next sign-in
      </label>
      <PasswordRules id={`${id}-rules`} policy={policy} password={password} />
      <button type="submit" disabled={!password || tooShort(policy, password)}>
        Reset password
      </button>
      <button type="button" onClick={() => onDone(null)}>
        Cancel
      </button>
    </form>
  );
}

function SessionTable({ label, sessions, onEnd }: { label: string; sessions: readonly SessionInfo[]; onEnd: (s: SessionInfo) => void }) {
  return (
    <DataTable
      label={label}
      columns={['User', 'Role', 'Position', 'Via', 'Since', 'Last seen', 'Ends', 'Locked', 'Action']}
      rows={sessions}
      rowKey={(s) => s.id}
      cells={(s) => (
        <>
          <th scope="row">{s.user}</th>
          <td>{s.role}</td>
          <td>{s.position ?? '—'}</td>
          <td>{s.origin}</td>
          <td className="num">{when(s.createdAt)}</td>
          <td className="num">{when(s.lastSeenAt)}</td>
          <td className="num">{when(s.expiresAt)}</td>
          <td>{s.locked ? 'locked' : '—'}</td>
          <td>
            <button
              type="button"
              aria-label={`End the session of ${s.user}${s.position ? ` at ${s.position}` : ''} since ${when(s.createdAt)}`}
              onClick={() => onEnd(s)}
            >
              End session
            </button>
          </td>
        </>
      )}
    />
  );
}

export function Users() {
  const [users, setUsers] = useState<UserInfo[]>([]);
  const [sessions, setSessions] = useState<SessionInfo[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const refresh = useCallback(async () => {
    try {
      const [u, s] = await Promise.all([api.call('auth.users.list', {}), api.call('auth.sessions.list', {})]);
      setUsers(u);
      setSessions(s);
    } catch (err) {
      setStatus(errorText(err));
    }
  }, []);
  useEffect(() => {
    refresh();
  }, [refresh]);
  const update = async (args: Parameters<typeof api.call<'auth.users.update'>>[1], what: string) => {
    try {
      await api.call('auth.users.update', args);
      setStatus(what);
    } catch (err) {
      setStatus(`Refused: ${errorText(err)}`);
    }
    refresh();
  };
  const endSession = async (s: SessionInfo) => {
    try {
      await api.call('auth.sessions.end', { id: s.id });
      setStatus(`Ended the session of ${s.user}${s.position ? ` at ${s.position}` : ''}`);
    } catch (err) {
      setStatus(`Refused: ${errorText(err)}`);
    }
    refresh();
  };
  const active = sessions.filter((s) => !s.idle);
  const idle = sessions.filter((s) => s.idle);

  return (
    <div className="users">
      <NewUser
        onDone={(text) => {
          setStatus(text);
          refresh();
        }}
      />
      <p className="muted" role="status">
        {status ?? `${users.length} users`}
      </p>
      {pending?.kind === 'role' ? (
        <RoleChange
          p={pending}
          onDone={(args) => {
            setPending(null);
            if (args) void update({ user: pending.user, ...args }, `${pending.user} is now ${args.role} (was ${pending.from})`);
          }}
        />
      ) : null}
      {pending?.kind === 'reset' ? (
        <PasswordReset
          user={pending.user}
          openSessions={sessionsOf(sessions, pending.user)}
          onDone={(args) => {
            setPending(null);
            if (!args) return;
            const ended = sessionsOf(sessions, pending.user);
            void update(
              { user: pending.user, ...args },
              `Password of ${pending.user} reset; ${plural(ended, 'session')} ended${args.mustChangePassword ? `; ${pending.user} must choose a new password at the next sign-in` : ''}`,
            );
          }}
        />
      ) : null}
      <DataTable
        label="Users"
        columns={['User', 'Name', 'Role', 'State', 'Last sign-in', 'Actions']}
        rows={users}
        rowKey={(u) => u.user}
        cells={(u) => (
          <>
            <th scope="row">{u.user}</th>
            <td>{u.displayName}</td>
            <td>
              <select
                aria-label={`Role of ${u.user}`}
                value={pending?.kind === 'role' && pending.user === u.user ? pending.to : u.role}
                onChange={(e) => {
                  const to = e.target.value as RoleName;
                  setPending(to === u.role ? null : { kind: 'role', user: u.user, from: u.role, to });
                }}
              >
                <Options values={roleNames} />
              </select>
            </td>
            <td>
              {u.disabled ? '✕ disabled' : u.lockedUntil && u.lockedUntil > Date.now() ? `⚠ locked until ${when(u.lockedUntil)}` : 'active'}
              {u.mustChangePassword ? ' · must choose a new password' : ''}
            </td>
            <td className="num">{when(u.lastLoginAt)}</td>
            <td>
              <button
                type="button"
                onClick={() => update({ user: u.user, disabled: !u.disabled }, `${u.user} ${u.disabled ? 'enabled' : 'disabled'}`)}
              >
                {u.disabled ? 'Enable' : 'Disable'}
              </button>{' '}
              <button
                type="button"
                aria-label={`Reset the password of ${u.user}…`}
                onClick={() => setPending({ kind: 'reset', user: u.user })}
              >
                Reset password…
              </button>{' '}
              {u.lockedUntil && u.lockedUntil > Date.now() ? (
                <button type="button" onClick={() => update({ user: u.user, unlock: true }, `${u.user} unlocked`)}>
                  Lift lockout
                </button>
              ) : null}
            </td>
          </>
        )}
      />
      <h2 className="section-title">Signed in now</h2>
      {active.length === 0 ? (
        <p className="muted">No session in use in the last 15 minutes.</p>
      ) : (
        <SessionTable label="Sessions" sessions={active} onEnd={endSession} />
      )}
      <h2 className="section-title">Idle sessions</h2>
      <p className="muted">
        Unused for more than 15 minutes (most are windows closed without signing out): each locks at its next use and ends at the time
        shown. Expired sessions are removed every minute.
      </p>
      {idle.length === 0 ? <p className="muted">None.</p> : <SessionTable label="Idle sessions" sessions={idle} onEnd={endSession} />}
    </div>
  );
}
