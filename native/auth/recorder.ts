// Writes every state-changing request to the audit trail, whichever capability handles it: who,
// which request, on what, with which arguments (secrets redacted) and how it ended — including
// attempts the permission check refused. A capability that knows more (the value before a write,
// a config diff) supplies it through `describe`, which runs before the call.
import type { CallContext } from '../api/contract.js';
import type { ApiResult } from '../api/types.js';
import type { Logger } from '../util/log.js';
import type { AuditLog, AuditResult } from './audit.js';
import { isAuditedRequest, requirementOf } from './permissions.js';

export type Call = (name: string, args: unknown, ctx: CallContext) => Promise<ApiResult<unknown>>;

export interface AuditDescription {
  target?: string;
  /** E.g. `{ old: 41.5 }` for a setpoint write; the recorder adds the arguments and the result. */
  details?: Record<string, unknown>;
}
export type Describe = (args: unknown, ctx: CallContext) => AuditDescription;

const SECRET_KEY = /pass(word)?|secret|token|credential|private|^key$|apikey/i;
const TARGET_KEYS = ['tag', 'alarm', 'model', 'connection', 'user', 'id', 'name'] as const;
const MAX_DETAIL_CHARS = 2000;

/** A copy with secret-looking fields replaced; deep structures are cut off rather than walked forever. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '(nested too deep)';
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '(redacted)' : redact(v, depth + 1);
  return out;
}

function bounded(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined || text.length <= MAX_DETAIL_CHARS ? value : { omitted: `${text.length} characters` };
}

/** Requests that act on several things at once (alarms.ack of ids, an export of tags) name them all. */
const TARGET_LIST_KEYS = ['ids', 'tags', 'alarms', 'names'] as const;

function targetOf(args: unknown): string {
  if (!args || typeof args !== 'object') return '';
  const a = args as Record<string, unknown>;
  for (const k of TARGET_KEYS) if (typeof a[k] === 'string' || typeof a[k] === 'number') return String(a[k]);
  for (const k of TARGET_LIST_KEYS) {
    const v = a[k];
    if (!Array.isArray(v)) continue;
    const names = v.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number');
    // The audit log cuts long targets with a marker; joining only what can be kept saves the work.
    if (names.length) return names.slice(0, 200).join(', ') + (names.length > 200 ? `, … (${names.length} in all)` : '');
  }
  return '';
}

function outcomeOf(result: ApiResult<unknown>): AuditResult {
  if (!result.error) return 'ok';
  return result.error.type === 'forbidden' || result.error.type === 'unauthenticated' ? 'denied' : 'failed';
}

/** Wrap the core's call (registry.call) so that it records; read-only requests pass untouched. */
export function auditedCall(call: Call, audit: AuditLog, describe: Readonly<Record<string, Describe>> = {}, log?: Logger): Call {
  return async (name, args, ctx) => {
    const need = requirementOf(name);
    const always = isAuditedRequest(name);
    // Refused attempts at user management, the audit trail, ingest or unknown requests are probes worth keeping.
    const ifDenied = !always && (need === undefined || need === 'users' || need === 'audit' || need === 'ingest');
    if (!always && !ifDenied) return call(name, args, ctx);
    let before: AuditDescription = {};
    try {
      before = describe[name]?.(args, ctx) ?? {};
    } catch (err) {
      before = { details: { describeFailed: err instanceof Error ? err.message : String(err) } };
    }
    const result = await call(name, args, ctx);
    const outcome = outcomeOf(result);
    if (ifDenied && outcome !== 'denied') return result;
    try {
      audit.append({
        actor: ctx.user,
        origin: ctx.origin,
        action: name,
        target: before.target ?? targetOf(args),
        details: {
          ...before.details,
          args: bounded(redact(args)),
          ...(result.error ? { error: result.error.message } : { result: bounded(redact(result.data)) }),
        },
        result: outcome,
      });
    } catch (err) {
      // The action has happened; failing the reply would tell the operator it had not.
      log?.('error', `audit trail write failed for ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return result;
  };
}
