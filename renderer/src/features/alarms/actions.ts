// What an operator types into the alarm actions (shelve, out of service), checked before it is
// sent, and the core's refusals, both as sentences the operator can act on. The core validates
// again (native/api/alarm-requests.ts); these checks only spare a round trip and keep the form's
// text where it was, and the bounds here are the core's (a test holds them to the schema).
import { ApiCallError, sentence } from '../../platform/client';

/** The longest shelving the core accepts (alarms.shelve `minutes`). */
export const SHELVE_MAX_MINUTES = 24 * 60;
/** The shortest and longest reason the core accepts for shelving and out of service. */
export const REASON_MIN = 3;
export const REASON_MAX = 500;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Minutes as typed: a number from above 0 up to 1,440 (24 h). */
export function checkMinutes(text: string): Checked<number> {
  const t = text.trim();
  const n = /^\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0 || n > SHELVE_MAX_MINUTES)
    return {
      ok: false,
      message:
        t === ''
          ? `Enter for how many minutes to shelve the alarm (1 to ${SHELVE_MAX_MINUTES.toLocaleString('en-US')}, at most 24 h).`
          : `Shelve for 1 to ${SHELVE_MAX_MINUTES.toLocaleString('en-US')} minutes (at most 24 h); “${t}” is not such a number of minutes.`,
    };
  return { ok: true, value: n };
}

/** A reason: what the journal keeps beside the operator's name. `what` names the action ("shelved"). */
export function checkReason(text: string, what: string): Checked<string> {
  const t = text.trim();
  if (t.length < REASON_MIN)
    return {
      ok: false,
      message: `Say why the alarm is ${what}, in at least ${REASON_MIN} characters: the reason is kept in the alarm journal with your name.`,
    };
  if (t.length > REASON_MAX) return { ok: false, message: `Shorten the reason to ${REASON_MAX} characters (it has ${t.length}).` };
  return { ok: true, value: t };
}

/**
 * The core's refusal of an alarm action as a sentence: `doing` names the action and the alarm
 * ("Shelving Demo/PumpStation/Pump101/Flow"). A refused argument check arrives as the core's
 * sentences, one per field (ApiError.fields), shown as they are.
 */
export function refusalText(doing: string, err: unknown): string {
  if (!(err instanceof ApiCallError)) return `${doing} failed: ${sentence(err instanceof Error ? err.message : String(err))}`;
  const { type, message, fields } = err.error;
  if (type === 'forbidden' || type === 'unauthenticated')
    return `${doing} was refused: your role may not do this (${sentence(message).replace(/\.$/, '')}).`;
  if (type === 'unavailable') return `${doing} did not reach the console core: ${sentence(message)} Try again when the link is back.`;
  // A failed argument check comes worded by the core, one sentence per field.
  if (type === 'validation' && fields && fields.length > 0)
    return `${doing} was refused: ${fields.map((f) => sentence(f.message)).join(' ')}`;
  return `${doing} was refused: ${sentence(message)}`;
}
