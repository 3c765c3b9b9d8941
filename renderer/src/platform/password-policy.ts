// The core's password rules (auth.passwordPolicy): one source for every form that asks for a new
// password — first run, an administrator's reset, a required change — shown before submitting.
import { useEffect, useState } from 'react';
import type { PasswordPolicyInfo } from '../../../native/api/auth-requests';
import { api } from './client';

/** The rules, fetched once a form needs them; null until they arrive (the core still checks on submit). */
export function usePasswordPolicy(wanted = true): PasswordPolicyInfo | null {
  const [policy, setPolicy] = useState<PasswordPolicyInfo | null>(null);
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    api.call('auth.passwordPolicy', {}).then(
      (p) => {
        if (live) setPolicy(p);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [wanted]);
  return policy;
}

/** Too short for the policy (the one rule checked while typing; the others the core checks). */
export const tooShort = (policy: PasswordPolicyInfo | null, password: string): boolean =>
  policy !== null && [...password].length < policy.minLength;
