// Modbus request planner vs one request per tag, for a dense 2,000-register map (2,000 uint16
// tags) against modbus-serial's ServerTCP on loopback, in the same run. Figures: requests per
// scan, the scan rate each strategy sustains (target: 10 Hz), tags/s and requests/s delivered.
import ModbusRTU, { ServerTCP } from 'modbus-serial';
import { decodeRegisters } from '../native/drivers/modbus/codec.js';
import { type PlanItem, type PlannedRead, planReads } from '../native/drivers/modbus/planner.js';
import { freePort } from '../native/util/net.js';
import type { Bench, BenchResult } from './types.js';

const TAGS = 2000;
const START = 100;

interface Run {
  scans: number;
  requests: number;
  tags: number;
  seconds: number;
}

async function scanFor(client: ModbusRTU, reads: PlannedRead[], ms: number, minScans: number): Promise<Run> {
  const t0 = performance.now();
  let scans = 0;
  let requests = 0;
  let tags = 0;
  let checksum = 0;
  while (scans < minScans || performance.now() - t0 < ms) {
    for (const r of reads) {
      const data = (await client.readHoldingRegisters(r.start, r.count)).data;
      requests++;
      for (const item of r.items) {
        checksum += decodeRegisters(data, item.offset - r.start, 'uint16', 'ABCD') as number;
        tags++;
      }
    }
    scans++;
  }
  const expected = scans * ((TAGS * (2 * START + TAGS - 1)) / 2);
  if (checksum !== expected) throw new Error(`decoded values are wrong: checksum ${checksum}, expected ${expected}`);
  return { scans, requests, tags, seconds: (performance.now() - t0) / 1000 };
}

const bench: Bench = async ({ quick }) => {
  const port = await freePort();
  const holding = new Uint16Array(START + TAGS + 200).map((_, i) => i);
  const server = await new Promise<ServerTCP>((resolve, reject) => {
    const s = new ServerTCP(
      {
        getHoldingRegister: (addr: number) => holding[addr] as number,
        getMultipleHoldingRegisters: (addr: number, length: number) => Array.from(holding.subarray(addr, addr + length)),
      },
      { host: '127.0.0.1', port, unitID: 1 },
    );
    s.on('serverError', reject);
    s.on('initialized', () => resolve(s));
  });
  const client = new ModbusRTU();
  try {
    await client.connectTCP('127.0.0.1', { port });
    client.setID(1);
    client.setTimeout(2000);
    const items: PlanItem[] = Array.from({ length: TAGS }, (_, i) => ({ key: i, table: 'holding', offset: START + i, count: 1 }));
    const planned = planReads(items, { maxGap: 10 });
    const perTag: PlannedRead[] = items.map((i) => ({ table: 'holding', start: i.offset, count: 1, items: [i] }));

    const p = await scanFor(client, planned, quick ? 1000 : 4000, 3);
    const b = await scanFor(client, perTag, quick ? 0 : 4000, 1);
    const hz = (r: Run) => r.scans / r.seconds;
    const notes = `${TAGS} uint16 tags on holding ${START}…${START + TAGS - 1}, maxGap 10, modbus-serial ServerTCP on loopback`;
    const row = (metric: string, unit: string, value: number, baselineValue: number, target?: string): BenchResult => ({
      bench: 'modbus-planner',
      metric,
      value: Math.round(value * 10) / 10,
      unit,
      baseline: 'one request per tag, same server, same run',
      baselineValue: Math.round(baselineValue * 10) / 10,
      ...(target ? { target } : {}),
      notes,
    });
    return [
      row('requests per scan', 'requests', p.requests / p.scans, b.requests / b.scans, '≥ 10× fewer than per tag'),
      row('scan rate sustained', 'Hz', hz(p), hz(b), '≥ 10 Hz'),
      row('tags delivered', 'tags/s', p.tags / p.seconds, b.tags / b.seconds),
      row('requests on the wire', 'requests/s', p.requests / p.seconds, b.requests / b.seconds),
      row('requests/s needed at 10 Hz', 'requests/s', (p.requests / p.scans) * 10, (b.requests / b.scans) * 10),
    ];
  } finally {
    await new Promise<void>((r) => client.close(() => r()));
    for (const s of server.socks.keys()) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
};

export default bench;
