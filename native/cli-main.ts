// Entry of the bundled command line (dist/native/cli.mjs).
import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`aurum: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
