// The operational-event and maintenance log as a capability, on the alarms' events.db. Its requests
// sit with the alarm requests (alarms/handlers.ts) and are registered here, where both services exist.

import { alarmHandlers } from '../alarms/handlers.js';
import type { OperationalEvent } from '../api/alarm-requests.js';
import { type Capability, type CapabilityContext, restartUnlessSame } from '../capability.js';
import { type MaintenanceConfig, maintenanceConfigSchema } from './config.js';
import { MaintenanceLog } from './log.js';

export interface MaintenanceFace {
  readonly log: MaintenanceLog;
  /** Called with each recorded event (the uplink sends it, the models relearn after a repair). */
  onEvent(listener: (e: OperationalEvent) => void): () => void;
}

declare module '../capability.js' {
  interface Faces {
    maintenance: MaintenanceFace;
  }
}

/** The site file's `maintenance:` section, when present. */
export function open(ctx: CapabilityContext<MaintenanceConfig | undefined>): Capability {
  const alarms = ctx.face('alarms');
  const listeners = new Set<(e: OperationalEvent) => void>();
  const log = new MaintenanceLog({
    db: alarms.eventsDb,
    config: ctx.config ?? maintenanceConfigSchema.parse({}),
    site: ctx.site.name,
    machines: ctx.site.machines.map((m) => m.name),
    alarms: alarms.service,
    onEvent: (e) => {
      for (const l of listeners) l(e);
    },
  });
  const face: MaintenanceFace = {
    log,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    face,
    handlers: alarmHandlers(alarms.service, log),
    // The webhook and request rules are read when the log opens: a changed section is applied by
    // the core restarting this capability alone, with those that use its face (capability.ts).
    reconfigure: (next) => restartUnlessSame(ctx.config, next),
    // events.db is closed by the alarm capability, which opened it (and stops after this one).
    stop: () => undefined,
  };
}
