// Child process for the kill -9 test: `fill` queues <count> events (printing "queued" once they are
// all in sync.db) and uploads them slowly; `drain` only uploads what sync.db holds.
import { openSync, syncConfigSchema } from './index.js';

const [mode, dataDir, url, countText] = process.argv.slice(2);
if (!dataDir || !url || (mode !== 'fill' && mode !== 'drain')) throw new Error('usage: crash-child.ts fill|drain <dataDir> <url> [count]');
const config = syncConfigSchema.parse({
  enabled: true,
  url,
  compress: false,
  backoff: { initialMs: 20, maxMs: 200 },
  batch: { maxMessages: 20, maxBytes: 65536 },
  maxInflight: 2,
  // Slow in fill mode so the kill lands mid-upload.
  maxBytesPerSecond: mode === 'fill' ? 20_000 : 0,
});
const svc = openSync({ config, dataDir, siteName: 'crash' });
if (mode === 'fill') {
  const count = Number(countText);
  for (let n = 0; n < count; n++) svc.enqueue('events', { n, note: 'operator event' });
  svc.flush();
  process.stdout.write('queued\n');
}
setInterval(() => {}, 1000);
