// `aurum user …` and `aurum audit verify` for headless boxes and first setup:
//   aurum user add <name> --role <role> [--display-name NAME] [--password P]
//   aurum user list
//   aurum user passwd <name> [--password P] [--must-change]
//   aurum user role <name> <role>
//   aurum user disable|enable|unlock <name>
//   aurum audit verify
// The password comes from --password, else AURUM_NEW_PASSWORD, else a hidden prompt. --password
// lands in the shell history and the process list; prefer the prompt or the variable.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { isRole, ROLES } from './roles.js';
import { AuthError } from './service.js';
import { openAuthStore } from './store.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  /** Ask for a password without echoing it; undefined when there is no terminal to ask on. */
  askPassword?: (question: string) => Promise<string>;
}

const USAGE = `usage:
  aurum user add <name> --role <${ROLES.join('|')}> [--display-name NAME] [--password P]
  aurum user list
  aurum user passwd <name> [--password P] [--must-change]
  aurum user role <name> <role>
  aurum user disable|enable|unlock <name>
  aurum audit verify
options: --data-dir DIR (default: $AURUM_DATA_DIR or ~/.aurum-console)`;

function askHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    if (!stdin.isTTY) return reject(new Error('no terminal to ask for the password on: use AURUM_NEW_PASSWORD'));
    process.stdout.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let answer = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stdout.write('\n');
          return resolve(answer);
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          return reject(new Error('cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}

const defaultIo: CliIo = {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  env: process.env,
  askPassword: askHidden,
};

async function newPassword(given: string | undefined, io: CliIo): Promise<string> {
  if (given) return given;
  if (io.env.AURUM_NEW_PASSWORD) return io.env.AURUM_NEW_PASSWORD;
  if (!io.askPassword) throw new AuthError('validation', 'give the password in AURUM_NEW_PASSWORD');
  const first = await io.askPassword('New password: ');
  const second = await io.askPassword('Repeat it: ');
  if (first !== second) throw new AuthError('validation', 'the passwords differ');
  return first;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      password: { type: 'string' },
      'display-name': { type: 'string' },
      // With passwd: the user must choose a new password at the next sign-in (read-only until then).
      'must-change': { type: 'boolean' },
      'data-dir': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
}

/** `aurum user …` (argv after "user"); returns the exit code. */
export async function userCli(argv: string[], dataDir: string, io: CliIo = defaultIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, name, extra] = positionals;
  const by = { user: `cli:${os.userInfo().username}`, origin: 'cli' };
  if (!command || (command !== 'list' && !name)) {
    io.err(USAGE);
    return 2;
  }
  const store = openAuthStore(values['data-dir'] ?? dataDir);
  try {
    const user = name ?? '';
    switch (command) {
      case 'add': {
        if (!isRole(values.role)) {
          io.err(`--role must be one of ${ROLES.join(', ')}`);
          return 2;
        }
        const u = await store.auth.createUser(
          { user, role: values.role, password: await newPassword(values.password, io), displayName: values['display-name'] },
          by,
        );
        io.out(`user ${u.user} added with role ${u.role}`);
        return 0;
      }
      case 'list':
        for (const u of store.auth.listUsers()) {
          const flags = [
            u.disabled ? 'disabled' : '',
            u.lockedUntil ? `locked until ${new Date(u.lockedUntil).toISOString()}` : '',
            u.mustChangePassword ? 'must choose a new password' : '',
          ].filter(Boolean);
          io.out(`${u.user}\t${u.role}\t${u.displayName}${flags.length ? `\t(${flags.join(', ')})` : ''}`);
        }
        return 0;
      case 'passwd': {
        const mustChange = values['must-change'] === true;
        await store.auth.updateUser(user, { password: await newPassword(values.password, io), mustChangePassword: mustChange }, by);
        io.out(
          `password of ${user} changed; their sessions are ended${mustChange ? `; ${user} must choose a new one at the next sign-in` : ''}`,
        );
        return 0;
      }
      case 'role':
        if (!isRole(extra)) {
          io.err(`the role must be one of ${ROLES.join(', ')}`);
          return 2;
        }
        await store.auth.updateUser(user, { role: extra }, by);
        io.out(`${user} is now ${extra}`);
        return 0;
      case 'disable':
      case 'enable':
        await store.auth.updateUser(user, { disabled: command === 'disable' }, by);
        io.out(`${user} ${command}d`);
        return 0;
      case 'unlock':
        await store.auth.updateUser(user, { unlock: true }, by);
        io.out(`${user} may sign in again`);
        return 0;
      default:
        io.err(USAGE);
        return 2;
    }
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    io.err(`aurum user ${command}: ${err.message}`);
    return 1;
  } finally {
    store.close();
  }
}

/** `aurum audit verify` (argv after "audit"): exit 0 when the chain is intact, 1 when not. */
export async function auditCli(argv: string[], dataDir: string, io: CliIo = defaultIo): Promise<number> {
  const { values, positionals } = parse(argv);
  if (positionals[0] !== 'verify') {
    io.err(USAGE);
    return 2;
  }
  const store = openAuthStore(values['data-dir'] ?? dataDir);
  try {
    const r = store.audit.verify();
    if (r.ok) io.out(`audit trail intact: ${r.entries} entries, head ${r.head}`);
    else io.err(`audit trail BROKEN at entry ${r.firstBadId}: ${r.reason} (${r.entries} entries read)`);
    return r.ok ? 0 : 1;
  } finally {
    store.close();
  }
}
