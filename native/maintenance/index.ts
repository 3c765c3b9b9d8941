// The operational-event and maintenance log (public face).

export { type MaintenanceFace, open } from './capability.js';
export { type MaintenanceConfig, maintenanceConfigSchema, type WebhookConfig } from './config.js';
export {
  type EventFilter,
  type EventInput,
  MaintenanceError,
  MaintenanceLog,
  type MaintenanceLogOptions,
  type RequestInput,
} from './log.js';
