// Users (administrators): accounts with their role and state, new accounts, role changes,
// disabling and lifting lockouts, and who is signed in at which position. Every change is made by
// the core, which validates it (password policy included) and writes it to the audit trail.
import { useCallback, useEffect, useId, useState } from 'react';
import type { RoleName, SessionInfo, UserInfo } from '../../../../native/api/auth-requests';
import { formatDateTime } from '../../lib/datetime';
import { api, errorText } from '../../platform/client';
import { DataTable } from '../../ui/DataTable';
import { Options } from '../../ui/Options';

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

export function Users() {
  const [users, setUsers] = useState<UserInfo[]>([]);
  const [sessions, setSessions] = useState<SessionInfo[]>([]);
  const [status, setStatus] = useState<string | null>(null);
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
                value={u.role}
                onChange={(e) => update({ user: u.user, role: e.target.value as RoleName }, `${u.user} is now ${e.target.value}`)}
              >
                <Options values={roleNames} />
              </select>
            </td>
            <td>
              {u.disabled ? '✕ disabled' : u.lockedUntil && u.lockedUntil > Date.now() ? `⚠ locked until ${when(u.lockedUntil)}` : 'active'}
            </td>
            <td className="num">{when(u.lastLoginAt)}</td>
            <td>
              <button
                type="button"
                onClick={() => update({ user: u.user, disabled: !u.disabled }, `${u.user} ${u.disabled ? 'enabled' : 'disabled'}`)}
              >
                {u.disabled ? 'Enable' : 'Disable'}
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
      <table className="grid" aria-label="Sessions">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Position</th>
            <th scope="col">Via</th>
            <th scope="col">Since</th>
            <th scope="col">Last seen</th>
            <th scope="col">Locked</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={`${s.user}-${s.createdAt}`}>
              <th scope="row">{s.user}</th>
              <td>{s.role}</td>
              <td>{s.position ?? '—'}</td>
              <td>{s.origin}</td>
              <td className="num">{when(s.createdAt)}</td>
              <td className="num">{when(s.lastSeenAt)}</td>
              <td>{s.locked ? 'locked' : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
