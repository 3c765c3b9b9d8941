// `aurum` — the console's command line for engineers.
//   aurum serve [--port 7700] [--host 127.0.0.1] [--data-dir DIR] [--config SITE.yaml]
//   aurum check-config SITE.yaml
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_SITE_FILE, packageRoot, startCore } from './core.js';
import { serve } from './server/server.js';
import { ConfigError, loadSiteFile } from './tags/config.js';

const USAGE = `usage:
  aurum serve [--port 7700] [--host 127.0.0.1] [--data-dir DIR] [--config SITE.yaml]
  aurum check-config SITE.yaml`;

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
    },
    strict: true,
  });
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  const staticDir = path.join(packageRoot, 'dist', 'renderer');
  if (!existsSync(path.join(staticDir, 'index.html'))) console.error('aurum: the UI is not built (npm run build); the API still runs.');
  const core = await startCore({ siteFile: values.config ? path.resolve(values.config) : undefined, dataDir, shell: 'serve' });
  const server = await serve(core, { port: Number(values.port), host: values.host, staticDir });
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

function checkConfigCommand(argv: string[]): number {
  const file = argv[0];
  if (!file) {
    console.error(USAGE);
    return 2;
  }
  try {
    const model = loadSiteFile(path.resolve(file));
    console.log(
      `${file}: valid — site ${model.site.name}, ${model.connections.length} connections, ${model.machines.length} machines, ${model.tags.length} tags`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`${file}: ${err.issues.length} error${err.issues.length === 1 ? '' : 's'}`);
    console.error(err.message);
    return 1;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest);
    case 'check-config':
      return checkConfigCommand(rest);
    default:
      console.error(USAGE);
      return command === undefined || command === '--help' ? 0 : 2;
  }
}
