// Entry of the bundled command line (dist/native/cli.mjs).
//
// Serve mode's last resort (docs/architecture.md, "Containment"): the HTTP server and the core run
// inside the console's containment boundary, so a fault in any of them is contained where it
// happened and never reaches the handlers below. What still escapes is recorded (log line and
// <data dir>/crash.log). An escaped rejection then raises a system alarm and the console keeps
// running; an escaped exception exits with code 70 so that a supervisor (systemd Restart=on-failure,
// a container runtime) starts a clean process: its state can no longer be trusted.
import { main } from './cli.js';
import { inShellContext, installLastResort } from './util/boundary.js';
import { describeError } from './util/errors.js';

installLastResort({ shell: 'serve', exitOnUncaught: true });

inShellContext('server', () => main(process.argv.slice(2))).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`aurum: ${describeError(err)}`);
    process.exit(1);
  },
);
