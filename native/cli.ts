// `aurum` — the console's command line for engineers.
//   aurum serve [--port 7700] [--host 127.0.0.1] [--data-dir DIR] [--config SITE.yaml]
//   aurum check-config SITE.yaml [MORE.yaml …]
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { auditCli, openSecrets, userCli } from './auth/index.js';
import { DEMO_SITE_FILE, packageRoot, startCore } from './core.js';
import { serve } from './server/server.js';
import { ConfigError, checkSiteFile } from './site/index.js';

const USAGE = `usage:
  aurum serve [--port 7700] [--host 127.0.0.1] [--data-dir DIR] [--config SITE.yaml] [--tls-cert FILE --tls-key FILE]
              [--allowed-host NAME …]   (names besides loopback and --host that browsers may use; also AURUM_ALLOWED_HOSTS)
  aurum check-config SITE.yaml [MORE.yaml …]   (every problem of each file, with file:line:column)
  aurum user add NAME --role viewer|operator|engineer|esg_analyst|admin [--password P] [--data-dir DIR]
  aurum audit verify [--data-dir DIR]
  aurum secret seal [--data-dir DIR]      (reads the secret from stdin; prints the sealed text for the site file)`;

export function defaultDataDir(): string {
  return process.env.AURUM_DATA_DIR ?? path.join(os.homedir(), '.aurum-console');
}

async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.AURUM_PORT ?? '7700' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
    },
    strict: true,
  });
  if (!values['tls-cert'] !== !values['tls-key']) throw new Error('--tls-cert and --tls-key go together');
  const tls =
    values['tls-cert'] && values['tls-key'] ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) } : undefined;
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  const staticDir = path.join(packageRoot, 'dist', 'renderer');
  let core: Awaited<ReturnType<typeof startCore>>;
  try {
    // startCore validates the site file through the one validator before it starts anything.
    core = await startCore({ siteFile: values.config ? path.resolve(values.config) : undefined, dataDir, shell: 'serve' });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Every problem at once, in the same words as check-config.
    console.error(err.message);
    return 1;
  }
  if (!existsSync(path.join(staticDir, 'index.html'))) console.error('aurum: the UI is not built (npm run build); the API still runs.');
  const allowedHosts = [...(values['allowed-host'] ?? []), ...(process.env.AURUM_ALLOWED_HOSTS ?? '').split(',')].filter((h) => h.trim());
  const server = await serve(core, { port: Number(values.port), host: values.host, staticDir, tls, allowedHosts, dataDir });
  if (core.auth.needsSetup()) {
    console.log(
      `aurum: no users yet — open ${server.url} on this machine and enter the setup code above to create the first administrator (or set AURUM_ADMIN_USER and AURUM_ADMIN_PASSWORD, or run "aurum user add NAME --role admin")`,
    );
  }
  console.log(
    `Aurum Console serving ${core.info.site} at ${server.url} (data: ${dataDir}${values.config ? '' : `, site: built-in demo plant ${path.relative(process.cwd(), DEMO_SITE_FILE)}`})`,
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`aurum: ${signal}, flushing and stopping`);
    const force = setTimeout(() => process.exit(1), 10_000);
    await server.close();
    await core.stop();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  return new Promise<number>(() => undefined);
}

/** Each file is checked on its own; the exit code is 1 when any of them is refused. */
function checkConfigCommand(argv: string[]): number {
  if (argv.length === 0 || argv.some((a) => a.startsWith('-'))) {
    console.error(USAGE);
    return 2;
  }
  let refused = 0;
  for (const file of argv) {
    const { model, issues } = checkSiteFile(path.resolve(file));
    if (!model) {
      // The same report serve and the desktop give for this file (ConfigError's message).
      console.error(new ConfigError(issues).message);
      refused++;
      continue;
    }
    console.log(
      `${file}: valid — site ${model.site.name}, ${model.connections.length} connections, ${model.machines.length} machines, ${model.tags.length} tags`,
    );
  }
  return refused > 0 ? 1 : 0;
}

/** Seal a connection password with this data dir's key, so the site file never holds it in plain text. */
async function secretCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'data-dir': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] !== 'seal') {
    console.error(USAGE);
    return 2;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const plain = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!plain) {
    console.error('aurum secret seal: give the secret on standard input');
    return 2;
  }
  console.log(openSecrets(path.resolve(values['data-dir'] ?? defaultDataDir())).encrypt(plain));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest);
    case 'check-config':
      return checkConfigCommand(rest);
    case 'user':
      return userCli(rest, defaultDataDir());
    case 'audit':
      return auditCli(rest, defaultDataDir());
    case 'secret':
      return secretCommand(rest);
    default:
      console.error(USAGE);
      return command === undefined || command === '--help' ? 0 : 2;
  }
}
