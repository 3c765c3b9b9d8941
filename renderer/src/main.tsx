import { createRoot } from 'react-dom/client';
import { App } from './App';
import { api } from './api/client';
import { connectStores } from './store/sync';
import './styles/theme.css';

connectStores(api);
api.start();
const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
