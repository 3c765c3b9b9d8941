// Password hashing (scrypt, salted, parameters stored with the hash so they can be raised later)
// and the password policy. Length over composition rules, as NIST SP 800-63B advises: composition
// rules make passwords harder to remember without making them much harder to guess.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface HashParams {
  /** CPU/memory cost, a power of two. 2^15 takes ≈ 50–100 ms on a control-room PC. */
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_HASH: HashParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LEN = 32;

function derive(password: string, salt: Buffer, prm: HashParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt needs 128·N·r bytes; the default maxmem (32 MiB) is exactly too small for N = 2^15.
    scrypt(password.normalize('NFKC'), salt, KEY_LEN, { N: prm.N, r: prm.r, p: prm.p, maxmem: 256 * prm.N * prm.r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string, prm: HashParams = DEFAULT_HASH): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, prm);
  return ['scrypt', prm.N, prm.r, prm.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export interface PasswordPolicy {
  minLength: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 10 };

// The most common choices, and the ones a plant is likely to pick; a longer list can come later
// from a file without changing the rule.
const COMMON = new Set([
  'password',
  'password1',
  'password123',
  '1234567890',
  '12345678910',
  'qwertyuiop',
  'administrator',
  'changeme123',
  'letmein123',
  'welcome123',
  'operator123',
  'engineer123',
  'aurumconsole',
  'scada12345',
]);

/** The most a password may be: longer ones could make scrypt a denial-of-service lever (the request schema says the same). */
export const MAX_PASSWORD_LENGTH = 256;

interface Rule {
  /** The rule as a person reads it before choosing a password. */
  rule: string;
  /** What is wrong with a password that breaks it. */
  problem: string;
  broken(password: string, chars: readonly string[], user: string): boolean;
}

// One list: the check and the sentences shown before submitting (auth.passwordPolicy) come from it.
const rules = (policy: PasswordPolicy): Rule[] => [
  {
    rule: `At least ${policy.minLength} characters (at most ${MAX_PASSWORD_LENGTH}).`,
    problem: `at least ${policy.minLength} characters`,
    broken: (_p, chars) => chars.length < policy.minLength,
  },
  { rule: '', problem: `at most ${MAX_PASSWORD_LENGTH} characters`, broken: (_p, chars) => chars.length > MAX_PASSWORD_LENGTH },
  {
    rule: 'Must not contain the user name.',
    problem: 'must not contain the user name',
    broken: (p, _c, user) => user.length >= 3 && p.toLowerCase().includes(user.toLowerCase()),
  },
  {
    rule: 'Must not be one of the most commonly used passwords.',
    problem: 'is one of the most commonly used passwords',
    broken: (p) => COMMON.has(p.toLowerCase()),
  },
  {
    rule: 'At least 4 different characters.',
    problem: 'uses too few different characters',
    broken: (_p, chars) => new Set(chars).size < 4,
  },
];

/** Reasons the password is refused; empty when it is acceptable. */
export function checkPasswordPolicy(password: string, user: string, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): string[] {
  const chars = [...password];
  return rules(policy)
    .filter((r) => r.broken(password, chars, user))
    .map((r) => r.problem);
}

/** The policy in sentences, for the screens that ask for a new password (shown before submitting). */
export function describePasswordPolicy(policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): {
  minLength: number;
  maxLength: number;
  rules: string[];
} {
  return {
    minLength: policy.minLength,
    maxLength: MAX_PASSWORD_LENGTH,
    rules: rules(policy)
      .map((r) => r.rule)
      .filter((r) => r !== ''),
  };
}
