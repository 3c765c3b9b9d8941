// ISA-18.2 alarms (public face): definitions from the site file, the alarm service that evaluates
// tag batches and applies operator actions, and the API handlers for alarms and the maintenance log.
import { AlarmService, type AlarmServiceOptions } from './service.js';

export {
  AlarmConfigError,
  type AlarmDefinition,
  type AlarmDefinitionInput,
  type AlarmPriority,
  type AlarmType,
  alarmDefinitionSchema,
  type CompiledAlarm,
  compileDefinitions,
  parseDefinitions,
} from './definition.js';
export { type AlarmHandlers, alarmHandlers } from './handlers.js';
export { AlarmNotFoundError, AlarmService, type AlarmServiceOptions, AlarmStateError } from './service.js';
export { type AlarmEvent, type AlarmState, type AlarmStateName, displayState } from './state.js';
export type { JournalQuery } from './store.js';

/** Open the alarm service on the console's events.db (runs its migrations, restores every alarm's state). */
export function openAlarmService(opts: AlarmServiceOptions): AlarmService {
  return new AlarmService(opts);
}
export { type AlarmsFace, open } from './capability.js';
