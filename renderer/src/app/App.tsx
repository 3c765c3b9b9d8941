import { useEffect, useRef, useState } from 'react';
import { AlarmSummary } from '../features/alarms/Alarms';
import { SignIn } from '../features/sign-in/SignIn';
import { formatDateTime } from '../lib/datetime';
import { useAlarms } from '../platform/alarms';
import { api } from '../platform/client';
import { navigate, useNavigation } from '../platform/navigation';
import { actions, appStore, useApp } from '../platform/store';
import { Annunciator } from './Annunciator';
import { LockBanner, lockSession, useIdleLock } from './SessionLock';
import { screenForKey, shortcutKey, visibleScreens } from './screens';

function UserMenu() {
  const session = useApp((s) => s.session);
  if (session.state !== 'signedIn') return null;
  const signOut = async () => {
    // Ends the session in the core; the reopened socket then has none and the sign-in form shows.
    await api.call('auth.logout', {}).catch(() => undefined);
    api.reconnect();
  };
  return (
    <span className="user-menu">
      <span title={session.position ? `at ${session.position}` : undefined}>
        {session.displayName || session.user} <span className="muted">({session.role})</span>
      </span>
      {session.locked ? null : (
        <button type="button" onClick={lockSession} title="Lock this console (read-only until your password)">
          Lock
        </button>
      )}
      <button type="button" onClick={signOut}>
        Sign out
      </button>
    </span>
  );
}

type Density = 'normal' | 'distance';
const DENSITY_KEY = 'aurum.density';

/**
 * Normal or "distance" (larger values and labels for a control-room chair): kept per workstation
 * in its browser storage, applied as data-density on the document (theme.css).
 */
function useDensity(): [Density, (d: Density) => void] {
  const [density, setDensity] = useState<Density>(() => {
    try {
      return localStorage.getItem(DENSITY_KEY) === 'distance' ? 'distance' : 'normal';
    } catch {
      return 'normal';
    }
  });
  useEffect(() => {
    document.documentElement.dataset.density = density;
    try {
      localStorage.setItem(DENSITY_KEY, density);
    } catch {
      // Storage may be unavailable (private mode); the density still applies for this session.
    }
  }, [density]);
  return [density, setDensity];
}

function LinkBanner() {
  const link = useApp((s) => s.link);
  const lostAt = useApp((s) => s.lostAt);
  if (link === 'online') return null;
  return (
    <div className="link-banner" role="alert" data-link={link}>
      <span aria-hidden="true">⚠</span>{' '}
      {link === 'connecting'
        ? 'Connecting to the console core…'
        : `Connection to the console core lost${lostAt ? ` at ${formatDateTime(lostAt)}` : ''} — values are stale; reconnecting…`}
    </div>
  );
}

/**
 * The historian's own trouble (disk full, read-only, a damaged file salvaged) stays in view while
 * its system alarm is active: operators must know that history is not being recorded.
 */
function HistorianBanner() {
  const alarm = useAlarms((s) =>
    s.rows.find((r) => r.id === 'system.historian' && (r.state === 'unack_active' || r.state === 'ack_active')),
  );
  if (!alarm) return null;
  return (
    <div className="link-banner historian-banner" role="alert">
      <span aria-hidden="true">⚠</span> Historian: {alarm.message}
    </div>
  );
}

export function App() {
  const screen = useNavigation((s) => s.screen);
  const theme = useApp((s) => s.theme);
  const info = useApp((s) => s.info);
  const connections = useApp((s) => s.connections);
  const session = useApp((s) => s.session);
  const link = useApp((s) => s.link);
  const signedIn = session.state === 'signedIn';
  // Without the link everything shown is the last known: connection states are unknown, and no
  // write or acknowledgement is offered until the core answers again.
  const linkDown = link !== 'online';
  const title = useRef<HTMLHeadingElement>(null);
  useIdleLock();
  const badConnections = connections.filter((c) => c.state !== 'connected').length;
  const visible = visibleScreens(session);
  const current = visible.find((s) => s.id === screen) ?? visible[0];

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const [density, setDensity] = useDensity();

  useEffect(() => {
    document.title = `${current?.label ?? ''} · Aurum Console`;
  }, [current]);

  useEffect(() => {
    // Alt+1…9 switch screens: the console is usable from the keyboard alone. Focus moves to the
    // new screen's heading so the next Tab continues there.
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const item = screenForKey(e.key, appStore.getState().session);
      if (item) {
        e.preventDefault();
        navigate(item.id);
        requestAnimationFrame(() => title.current?.focus());
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const Screen = current?.component;
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-row">
          <span className="brand">Aurum Console</span>
          <span className="site">{info ? `${info.site}${info.demoPlant ? ' (demo plant)' : ''}` : ''}</span>
          {signedIn ? <AlarmSummary onOpen={() => navigate('alarms')} stale={linkDown} /> : null}
          {signedIn ? <Annunciator /> : null}
          <span className="comm-summary" data-ok={linkDown ? 'unknown' : badConnections === 0} role="status">
            {linkDown
              ? '? Connection state unknown'
              : badConnections === 0
                ? `● ${connections.length} connections OK`
                : `⚠ ${badConnections} connection${badConnections > 1 ? 's' : ''} down`}
          </span>
          <UserMenu />
        </div>
        <div className="topbar-row topbar-nav">
          <nav aria-label="Screens" hidden={!signedIn}>
            {visible.map((n, i) => (
              <button
                key={n.id}
                type="button"
                aria-current={screen === n.id ? 'page' : undefined}
                onClick={() => navigate(n.id)}
                title={shortcutKey(i) ? `Alt+${shortcutKey(i)}` : undefined}
                aria-keyshortcuts={shortcutKey(i) ? `Alt+${shortcutKey(i)}` : undefined}
              >
                {n.label}
              </button>
            ))}
          </nav>
          <span className="display-switches">
            <button
              type="button"
              className="density-toggle"
              aria-pressed={density === 'distance'}
              onClick={() => setDensity(density === 'distance' ? 'normal' : 'distance')}
              title="Larger values and labels, to read from a control-room chair (kept on this workstation)"
            >
              Aa Distance
            </button>
            <button
              type="button"
              className="theme-toggle"
              onClick={() => actions.setTheme(theme === 'dark' ? 'light' : 'dark')}
              aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
            >
              {theme === 'dark' ? '☀ Light' : '☾ Dark'}
            </button>
          </span>
        </div>
      </header>
      <LinkBanner />
      {signedIn ? <HistorianBanner /> : null}
      <LockBanner />
      <main id="main" data-screen={screen ?? undefined}>
        <h1 className="screen-title" ref={title} tabIndex={-1}>
          {signedIn ? current?.label : 'Aurum Console'}
        </h1>
        {signedIn && Screen ? (
          // A disabled fieldset disables every control of the screen at once (writes, acknowledgements,
          // shelving, records) without each screen knowing about the link; display: contents keeps
          // it out of the layout.
          <fieldset className="screen-controls" disabled={linkDown} data-link-down={linkDown || undefined}>
            <Screen />
          </fieldset>
        ) : null}
        {session.state === 'signedOut' ? <SignIn /> : null}
      </main>
    </div>
  );
}
