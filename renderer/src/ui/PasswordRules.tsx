// The password rules beside a new-password field, before anything is sent; the length is checked
// as the user types, the other rules by the core on submit (its refusal names the rule).
import type { PasswordPolicyInfo } from '../../../native/api/auth-requests';
import './password-rules.css';

export function PasswordRules({ id, policy, password }: { id: string; policy: PasswordPolicyInfo | null; password: string }) {
  if (!policy) return null;
  const length = [...password].length;
  return (
    <div id={id} className="password-rules">
      <p>The password must meet these rules (the console checks them again):</p>
      <ul>
        {policy.rules.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      {password !== '' ? (
        <p className={length < policy.minLength ? 'rule-unmet' : 'rule-met'} aria-live="polite">
          {length < policy.minLength ? `${length} of at least ${policy.minLength} characters` : `${length} characters: long enough`}
        </p>
      ) : null}
    </div>
  );
}
