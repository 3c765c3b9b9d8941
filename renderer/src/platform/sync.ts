// Feeds the stores from the core: on every (re)connection the session, then metadata, a value
// snapshot, the alarm list and machine health; afterwards value batches into the live data, alarm
// changes, predictions, diagnostics and system messages from the streams.
import type { EventStreams } from '../../../native/api/contract';
import type { TagInfo } from '../../../native/api/types';
import { alarmActions } from './alarms';
import { ApiCallError, type ApiClient, errorText } from './client';
import { live } from './live';
import { predictionActions } from './predictions';
import { actions, appStore } from './store';

/** The same tag table as before a reconnect: live rings (trend history) are kept. */
export function sameTags(a: TagInfo[], b: TagInfo[]): boolean {
  return a.length === b.length && a.every((t, i) => t.id === b[i]?.id && t.name === b[i]?.name);
}

async function resync(client: ApiClient): Promise<void> {
  const [meta, snapshot, connections] = await Promise.all([
    client.call('tags.list', {}),
    client.call('tags.snapshot', {}),
    client.call('connections.list', {}),
  ]);
  // Values are kept by tag id; after a tag was removed live, ids run past the count.
  const span = meta.tags.reduce((n, t) => Math.max(n, t.id + 1), 0);
  if (!sameTags(appStore.getState().tags, meta.tags) || live.tagCount !== span) live.reset(span);
  actions.setMeta(meta.tags, meta.machines);
  live.markLinked();
  live.enqueue({
    ids: snapshot.map((s) => s.id),
    ts: snapshot.map((s) => Date.parse(s.timestamp)),
    v: snapshot.map((s) => (typeof s.value === 'number' ? s.value : typeof s.value === 'boolean' ? Number(s.value) : null)),
    q: snapshot.map((s) => (s.quality === 'Good' ? 0 : s.quality === 'Uncertain' ? 1 : 2)),
  });
  appStore.setState({ connections });
  const [alarms, predictions] = await Promise.all([client.call('alarms.list', {}), client.call('predictions.latest', {})]);
  alarmActions.setList(alarms.alarms, alarms.counts);
  predictionActions.setAll(predictions);
}

/** Ask the core who this window is signed in as (and whether the session is locked); false when signed out. */
export async function refreshSession(client: ApiClient): Promise<boolean> {
  try {
    const me = await client.call('auth.me', {});
    appStore.setState({
      session: {
        state: 'signedIn',
        user: me.user,
        role: me.role,
        displayName: me.displayName,
        position: me.position,
        locked: me.locked,
        mustChangePassword: me.mustChangePassword,
      },
      allowed: new Set(me.allowed),
    });
    return true;
  } catch (err) {
    if (!(err instanceof ApiCallError) || err.error.type !== 'unauthenticated') throw err;
    const status = await client.call('auth.status', {}).catch(() => ({ needsSetup: false }));
    appStore.setState({ session: { state: 'signedOut', needsSetup: status.needsSetup }, allowed: new Set() });
    return false;
  }
}

export function connectStores(client: ApiClient): void {
  client.onLink(async (link, info) => {
    const lostAt = link === 'offline' ? (appStore.getState().lostAt ?? Date.now()) : null;
    appStore.setState({ link, info, lostAt });
    if (link !== 'online') {
      live.markAllUncertain();
      return;
    }
    if (!(await refreshSession(client))) return;
    try {
      await resync(client);
    } catch (err) {
      // The link dropped again mid-resync; the next hello retries.
      actions.addMessage({
        level: 'warning',
        source: 'ui',
        message: `resynchronisation failed: ${errorText(err)}`,
        timestamp: new Date().toISOString(),
      });
    }
  });
  // A refusal for the role means the session's permissions changed: ask again, so the controls
  // follow (one question at a time, however many calls were refused).
  let asking = false;
  client.onRefused(() => {
    if (asking || client.link !== 'online') return;
    asking = true;
    refreshSession(client)
      .catch(() => undefined)
      .finally(() => {
        asking = false;
      });
  });
  client.onStream((stream, data) => {
    if (stream === 'values') live.enqueue(data as EventStreams['values']);
    else if (stream === 'alarms') alarmActions.apply(data as EventStreams['alarms']);
    else if (stream === 'predictions') predictionActions.apply(data as EventStreams['predictions']);
    else if (stream === 'connections') appStore.setState({ connections: data as EventStreams['connections'] });
    else if (stream === 'system') actions.addMessage(data as EventStreams['system']);
    // The tag table changed (live configuration): list the tags and their values again.
    else if (stream === 'tagTable' && client.link === 'online') resync(client).catch(() => undefined);
  });
}
