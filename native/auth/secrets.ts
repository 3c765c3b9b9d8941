// Connection passwords and keys at rest. Serve mode seals them with AES-256-GCM under a key kept in
// the data dir (a file only the console's account can read, 0600); the desktop shell substitutes
// Electron's safeStorage (the OS keychain / DPAPI) behind the same two-method interface. A sealed
// value is text, so it can stand in a site file or a database column in place of the secret.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeError } from '../util/errors.js';
import { ensurePrivateDir, isNoRoom } from '../util/sqlite.js';

export interface Secrets {
  /** Text safe to store: never contains the secret. */
  encrypt(plain: string): string;
  /** Throws when the value was altered or sealed under another key; the message never contains the value. */
  decrypt(sealed: string): string;
}

export const SEALED_PREFIX = 'enc:v1:';
export const KEY_FILE = 'secret.key';
const AAD = Buffer.from('aurum-console secret v1');

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

export class SecretsError extends Error {
  override name = 'SecretsError';
}

/** The key, or why there is none: a first start on a disk too full to create the key file. */
function loadOrCreateKey(dataDir: string): Buffer | SecretsError {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, KEY_FILE);
  if (!existsSync(file)) {
    // 'wx': if two processes race on first start, one creates the key and the other reads it below.
    try {
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        if (!isNoRoom(err)) throw err;
        // A key half written would be refused at every later start: none rather than a broken one.
        rmSync(file, { force: true });
        return new SecretsError(
          `${file} could not be created for lack of room (${describeError(err)}): nothing can be sealed or unsealed until the console restarts with room`,
        );
      }
    }
  }
  // POSIX only: on Windows the data dir's ACL protects the file and mode bits mean little.
  if (process.platform !== 'win32') {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      throw new SecretsError(
        `${file} is readable by other accounts (mode ${mode.toString(8)}); run "chmod 600 ${file}" — and if others may have read it, rotate the connection passwords it protects`,
      );
    }
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length !== 32) throw new SecretsError(`${file} does not hold a 256-bit key`);
  return key;
}

/** Serve-mode secrets: key file `secret.key` in the data dir, created 0600 on first use. */
export function openSecrets(dataDir: string): Secrets {
  const loaded = loadOrCreateKey(dataDir);
  const keyOrThrow = (): Buffer => {
    if (loaded instanceof SecretsError) throw loaded;
    return loaded;
  };
  return {
    encrypt(plain) {
      const key = keyOrThrow();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(AAD);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    decrypt(sealed) {
      if (!isSealed(sealed)) throw new SecretsError('the value is not a sealed secret');
      const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
      if (raw.length < 28) throw new SecretsError('the sealed secret is truncated');
      const key = keyOrThrow();
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAAD(AAD);
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretsError('a sealed secret could not be opened: it was altered, or sealed under another key file');
      }
    },
  };
}
