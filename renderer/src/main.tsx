import { createRoot } from 'react-dom/client';
import { App } from './App';
import { api } from './api/client';
import { trendStats } from './components/TrendChart';
import { alarmActions } from './store/alarms';
import { actions, appStore } from './store/app';
import { live } from './store/live';
import { connectStores } from './store/sync';
import { trendStore } from './store/trends';
import './styles/theme.css';

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

window.aurumDebug = { live, appStore, trendStore, actions, trendStats, alarmActions };
connectStores(api);
api.start();
const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
