// Feeds the stores from the core: metadata on every (re)connection, value batches into the live
import type { EventStreams } from '../../../native/api/contract';
// data, diagnostics and system messages into the app store.
import type { ApiClient } from '../api/client';
import { actions, appStore } from './app';
import { live } from './live';

export function connectStores(client: ApiClient): void {
  client.onLink(async (link, info) => {
    appStore.setState({ link, info });
    if (link !== 'online') {
      live.markAllUncertain();
      return;
    }
    // Resynchronise: metadata and current values, then the stream keeps them fresh.
    const [meta, snapshot, connections] = await Promise.all([
      client.call('tags.list', {}),
      client.call('tags.snapshot', {}),
      client.call('connections.list', {}),
    ]);
    actions.setMeta(meta.tags, meta.machines);
    live.reset(meta.tags.length);
    live.enqueue({
      ids: snapshot.map((s) => s.id),
      ts: snapshot.map((s) => Date.parse(s.timestamp)),
      v: snapshot.map((s) => (typeof s.value === 'number' ? s.value : typeof s.value === 'boolean' ? Number(s.value) : null)),
      q: snapshot.map((s) => (s.quality === 'Good' ? 0 : s.quality === 'Uncertain' ? 1 : 2)),
    });
    appStore.setState({ connections });
  });
  client.onStream((stream, data) => {
    if (stream === 'values') live.enqueue(data as EventStreams['values']);
    else if (stream === 'connections') appStore.setState({ connections: data as EventStreams['connections'] });
    else if (stream === 'system') actions.addMessage(data as EventStreams['system']);
  });
}
