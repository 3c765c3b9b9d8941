// Session-token capture, one rule for every transport: after a successful call, a request the
// contract marks as starting a session hands its result's token to the transport, one marked as
// ending it tells the transport to forget the token. Which requests those are is declared beside
// their schemas (auth-requests.ts `authSessionEffects`).
import { authSessionEffects } from './auth-requests.js';
import type { RequestName, Result } from './contract.js';
import type { ApiResult } from './types.js';

type Effects = typeof authSessionEffects;
// A request marked 'start' must answer with a token: checked by the compiler.
type StartsWithToken = { [N in keyof Effects]: Effects[N] extends 'start' ? (Result<N> extends { token: string } ? true : false) : true };
const _everyStartCarriesAToken: StartsWithToken[keyof Effects] extends true ? true : never = true;
void _everyStartCarriesAToken;

export type SessionChange = { kind: 'start'; token: string } | { kind: 'end' };

/** What a finished call does to its caller's session, or null for a call that does nothing to it. */
export function sessionChange(name: string, result: ApiResult<unknown>): SessionChange | null {
  if (result.error || !Object.hasOwn(authSessionEffects, name)) return null;
  const effect = authSessionEffects[name as keyof Effects & RequestName];
  if (effect === 'end') return { kind: 'end' };
  const token = (result.data as { token?: unknown } | null)?.token;
  return typeof token === 'string' ? { kind: 'start', token } : null;
}
