// Test fixture run as its own process by boundary.test.ts: the shell's last resort with the
// boundary's async contexts, where a real uncaught exception would otherwise end the process.
import net from 'node:net';
import { Boundary, installLastResort, recordCrashesIn } from './boundary.js';

const crashFile = process.argv[2] as string;
const say = (m: string) => process.stdout.write(`${m}\n`);
const boundary = new Boundary({ log: (level, m) => say(`log ${level} ${m}`), raise: (source) => say(`alarm ${source}`) });
recordCrashesIn(crashFile, boundary);
installLastResort({ shell: 'fixture', exitOnUncaught: true, log: (level, m) => say(`last-resort ${level} ${m}`) });

const turn = () => new Promise((r) => setImmediate(r));
let restarted = 0;
const plc = boundary.for('connection plc1', {
  restart: () => {
    restarted++;
    say(`restarted ${restarted}`);
  },
});

// 1. A driver's timer callback and its socket event handler throw: attributed to the connection.
const server = net.createServer((s) => s.end()).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const port = (server.address() as net.AddressInfo).port;
await new Promise<void>((done) => {
  plc.enter(() => {
    setTimeout(() => {
      throw new TypeError("cannot read properties of undefined (reading 'value')");
    }, 0);
    const socket = net.connect(port, '127.0.0.1');
    socket.on('close', () => {
      setImmediate(done);
      throw new Error('handler bug on close');
    });
  });
});
// 2. A rejection inside the connection's context nobody handles.
plc.enter(() => void Promise.reject(new Error('poll chain broke')));
await turn();
await turn();
// 3. Restarted with backoff (one restart for the whole episode).
while (restarted === 0) await new Promise((r) => setTimeout(r, 50));
say(`faults ${boundary.faultsOf('connection plc1')}`);
server.close();
// 4. A rejection outside every service: recorded and raised, the process keeps running.
void Promise.reject(new Error('stray promise'));
await turn();
await turn();
say('still running');
// 5. An exception outside every service: recorded, then exit 70 for a supervisor.
setTimeout(() => {
  throw new RangeError('state unknown');
}, 0);
