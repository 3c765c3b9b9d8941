// What must survive a restart of the console on the same data dir: the history of the demo plant
// (trends over the last hour still render), and alarm acknowledgements (ISA-18.2: an acknowledged
// alarm stays acknowledged).
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

interface Series {
  tag: string;
  ts: number[];
  v: (number | null)[];
}
interface AlarmRow {
  id: string;
  tag: string;
  state: string;
  priority: string;
  message: string;
  activeSince: string;
}

let app: RunningConsole | null = null;
let dataDir: string | null = null;

afterAll(async () => {
  await app?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const TAG = 'Demo/PumpStation/Pump101/VibrationRMS';

describe('restart on the same data dir', () => {
  it('keeps history and acknowledged alarms', async () => {
    app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
    dataDir = app.dataDir;
    let headers = { Authorization: `Bearer ${await app.signIn()}` };
    const firstStart = Date.now();

    // The model alarm on the wearing pump: the demo runs Pump101's bearing healthy for 3 minutes,
    // the model flags the wear about 75 s later (docs/models.md).
    const alarm = await waitFor(
      'the pump model alarm',
      async () => {
        const r = (await (await fetch(`${app?.url}/api/alarms`, { headers })).json()) as { alarms: AlarmRow[] };
        return r.alarms.find((a) => a.tag === 'Demo/PumpStation/Pump101/AnomalyScore' && a.state === 'unack_active');
      },
      420_000,
      1000,
    );
    expect(alarm.priority).toBe('Medium');
    expect(alarm.message).toMatch(/anomaly score/);
    const ack = await fetch(`${app.url}/api/alarms/${alarm.id}/ack`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ comment: 'checking the bearing' }),
    });
    expect(ack.status).toBe(200);

    const before = (await (
      await fetch(
        `${app.url}/api/history?tags=${TAG}&from=${new Date(firstStart - 60_000).toISOString()}&to=${new Date().toISOString()}&maxPoints=5000`,
        { headers },
      )
    ).json()) as Series[];
    // maxPoints well above the samples of both runs (about 1 Hz): the counts are raw, not decimated.
    const pointsBefore = before[0]?.ts.length ?? 0;
    expect(pointsBefore).toBeGreaterThan(20);

    expect(await app.stop()).toBe(0);
    const stoppedAt = Date.now();
    app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], dataDir, timeoutMs: 40_000 });
    headers = { Authorization: `Bearer ${await app.signIn()}` };

    const list = (await (await fetch(`${app.url}/api/alarms`, { headers })).json()) as { alarms: AlarmRow[] };
    const restored = list.alarms.find((a) => a.id === alarm.id);
    expect(restored?.state).toBe('ack_active');
    const journal = (await (await fetch(`${app.url}/api/alarms/journal?alarmId=${encodeURIComponent(alarm.id)}`, { headers })).json()) as {
      kind: string;
      comment?: string;
    }[];
    expect(journal.some((e) => e.kind === 'ack')).toBe(true);

    const after = (await (
      await fetch(
        `${app.url}/api/history?tags=${TAG}&from=${new Date(firstStart - 60_000).toISOString()}&to=${new Date().toISOString()}&maxPoints=5000`,
        { headers },
      )
    ).json()) as Series[];
    const ts = after[0]?.ts ?? [];
    expect(ts.length).toBeGreaterThanOrEqual(pointsBefore);
    // Points recorded by the first run are still served (ordering against the restart, not a threshold).
    expect(Math.min(...ts)).toBeLessThan(stoppedAt);
  }, 600_000);
});
