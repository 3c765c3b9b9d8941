import { useEffect } from 'react';
import { Connections } from './screens/Connections';
import { Machine } from './screens/Machine';
import { Overview } from './screens/Overview';
import { Trends } from './screens/Trends';
import { actions, type Screen, useApp } from './store/app';

const NAV: { screen: Screen; label: string; key: string }[] = [
  { screen: 'overview', label: 'Overview', key: '1' },
  { screen: 'machine', label: 'Machine', key: '2' },
  { screen: 'trends', label: 'Trends', key: '3' },
  { screen: 'connections', label: 'Connections', key: '4' },
];

function LinkBanner() {
  const link = useApp((s) => s.link);
  if (link === 'online') return null;
  return (
    <div className="link-banner" role="alert">
      ⚠{' '}
      {link === 'connecting' ? 'Connecting to the console core…' : 'Connection to the console core lost — values are stale; reconnecting…'}
    </div>
  );
}

export function App() {
  const screen = useApp((s) => s.screen);
  const theme = useApp((s) => s.theme);
  const info = useApp((s) => s.info);
  const connections = useApp((s) => s.connections);
  const badConnections = connections.filter((c) => c.state !== 'connected').length;

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    // Alt+1…4 switch screens: the console is usable from the keyboard alone.
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey) return;
      const item = NAV.find((n) => n.key === e.key);
      if (item) {
        e.preventDefault();
        actions.navigate(item.screen);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Aurum Console</span>
        <span className="site">{info ? `${info.site}${info.demoPlant ? ' (demo plant)' : ''}` : ''}</span>
        <nav aria-label="Screens">
          {NAV.map((n) => (
            <button
              key={n.screen}
              type="button"
              aria-current={screen === n.screen ? 'page' : undefined}
              onClick={() => actions.navigate(n.screen)}
              title={`Alt+${n.key}`}
            >
              {n.label}
            </button>
          ))}
        </nav>
        <span className="comm-summary" data-ok={badConnections === 0}>
          {badConnections === 0
            ? `● ${connections.length} connections OK`
            : `⚠ ${badConnections} connection${badConnections > 1 ? 's' : ''} down`}
        </span>
        <button
          type="button"
          className="theme-toggle"
          onClick={() => actions.setTheme(theme === 'dark' ? 'light' : 'dark')}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      <LinkBanner />
      <main>
        {screen === 'overview' ? <Overview /> : null}
        {screen === 'machine' ? <Machine /> : null}
        {screen === 'trends' ? <Trends /> : null}
        {screen === 'connections' ? <Connections /> : null}
      </main>
    </div>
  );
}
