import { describe, expect, it } from 'vitest';
import { DEFAULT_HASH, hashPassword, verifyPassword } from './password.js';

describe('password hashes', () => {
  it('are salted scrypt with the production cost, and verify only the right password', async () => {
    const a = await hashPassword('blue-valve-7734');
    const b = await hashPassword('blue-valve-7734');
    expect(a).toMatch(new RegExp(`^scrypt\\$${DEFAULT_HASH.N}\\$8\\$1\\$[\\w-]{22}\\$[\\w-]{43}$`));
    expect(a).not.toBe(b);
    expect(await verifyPassword('blue-valve-7734', a)).toBe(true);
    expect(await verifyPassword('blue-valve-7735', a)).toBe(false);
    expect(await verifyPassword('blue-valve-7734', 'md5$abc')).toBe(false);
  });
});
