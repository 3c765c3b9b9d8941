// Alarms as a capability: evaluated on every tag batch, timed work once a second, and the console's
// system alarms. Alarms and the maintenance log share events.db (journal, alarm states, events).
import path from 'node:path';
import type { AlarmListUpdate } from '../api/alarm-requests.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { openSqlite, type SqliteDatabase } from '../util/sqlite.js';
import { parseDefinitions } from './definition.js';
import { AlarmService } from './service.js';

export interface AlarmsFace {
  readonly service: AlarmService;
  /** events.db, which the maintenance log shares. */
  readonly eventsDb: SqliteDatabase;
  /** Called after every alarm list change (the cloud uplink forwards the journal from it). */
  onChange(listener: (u: AlarmListUpdate) => void): () => void;
}

declare module '../capability.js' {
  interface Faces {
    alarms: AlarmsFace;
  }
}

/** The site file's `alarms:` section, as written. */
export function open(ctx: CapabilityContext<readonly unknown[]>): Capability {
  const eventsDb = openSqlite(path.join(ctx.dataDir, 'events.db'));
  const listeners = new Set<(u: AlarmListUpdate) => void>();
  const service = new AlarmService({
    db: eventsDb,
    tags: ctx.bus.tags,
    definitions: parseDefinitions(ctx.config),
    onChange: (u) => {
      ctx.emit('alarms', u);
      for (const l of listeners) l(u);
    },
  });
  ctx.system.provide({
    raise: (source, message) => service.raiseSystemAlarm(source, message, 'High'),
    clear: (source) => service.clearSystemAlarm(source),
  });
  const tick = setInterval(
    ctx.boundary.for('alarms').wrap('timed alarm work', () => service.tick()),
    1000,
  );
  tick.unref();
  const face: AlarmsFace = {
    service,
    eventsDb,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    face,
    streams: ['alarms'],
    listener: { name: 'alarms', batch: (b) => service.evaluate(b) },
    // Live configuration: the definitions again, against the tag table as it is now (unchanged
    // alarms keep their state, acknowledgement and shelving; see AlarmService.redefine).
    reconfigure: (next) => {
      service.redefine(parseDefinitions(next as readonly unknown[]), ctx.bus.tags);
      return 'applied';
    },
    stop() {
      clearInterval(tick);
      service.stop();
      eventsDb.close();
    },
  };
}
