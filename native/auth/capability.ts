// Users, sessions and the audit trail as a capability; sealed secrets opened for those that need them.
import { type Capability, type CapabilityContext, restartUnlessSame } from '../capability.js';
import type { AuditLog } from './audit.js';
import { authHandlers } from './handlers.js';
import { openSecrets, type Secrets } from './secrets.js';
import type { AuthService } from './service.js';
import { openAuthStore } from './store.js';

export interface AuthFace {
  readonly auth: AuthService;
  readonly audit: AuditLog;
  /** Sealed connection passwords are opened in memory only, for the driver or uplink that needs them. */
  readonly secrets: Secrets;
}

declare module '../capability.js' {
  interface Faces {
    auth: AuthFace;
  }
}

export async function open(ctx: CapabilityContext): Promise<Capability> {
  const store = openAuthStore(ctx.dataDir, { log: ctx.logger('auth') });
  await store.auth.ensureFirstAdmin(process.env);
  const face: AuthFace = { auth: store.auth, audit: store.audit, secrets: openSecrets(ctx.dataDir) };
  return {
    face,
    handlers: authHandlers(store.auth, store.audit),
    // The auth store has no site-file section.
    reconfigure: (next) => restartUnlessSame(undefined, next),
    stop: () => store.close(),
  };
}
