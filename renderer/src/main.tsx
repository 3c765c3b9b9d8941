import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { startRoute } from './app/routes';
import { trendStore } from './features/trends/store';
import { alarmActions } from './platform/alarms';
import { api } from './platform/client';
import { live } from './platform/live';
import { navigate } from './platform/navigation';
import { actions as appActions, appStore } from './platform/store';
import { connectStores } from './platform/sync';
import { trendStats } from './ui/trend/TrendChart';
import './styles/theme.css';

const actions = { ...appActions, navigate };

declare global {
  interface Window {
    /** The stores, for end-to-end tests and the in-browser benchmarks to observe and drive. */
    aurumDebug?: {
      live: typeof live;
      appStore: typeof appStore;
      trendStore: typeof trendStore;
      actions: typeof actions;
      trendStats: typeof trendStats;
      alarmActions: typeof alarmActions;
    };
  }
}

startRoute(location.hash);
window.aurumDebug = { live, appStore, trendStore, actions, trendStats, alarmActions };
connectStores(api);
api.start();
const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
