// Modbus TCP/RTU driver (modbus-serial). Tags are grouped by poll period; each group's tags are
// coalesced by the planner into the fewest reads the protocol allows. One request is on the wire
// at a time (Modbus is half-duplex per connection); groups are served earliest-due first.
//
// Failures map to quality: a timeout or lost socket turns every tag of the connection Bad
// ("comm failure") and starts a reconnect with backoff; a Modbus exception turns only the tags of
// that request Bad, with the exception's name, and the connection stays up.
import ModbusRTU from 'modbus-serial';
import type { ConnectionDiagnostics, ConnectionState, TagValue } from '../../api/types.js';
import { backoffMs, type Driver, type DriverContext, type DriverTag, RateMeter, toEngineering, toRaw } from '../driver.js';
import { type ModbusAddress, parseModbusAddress } from './address.js';
import { decodeRegisters, encodeRegisters, type ModbusDataType, registerCount, type WordOrder } from './codec.js';
import type { ModbusConnectionConfig } from './config.js';
import { type PlannedRead, planReads } from './planner.js';

const EXCEPTIONS: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

interface ModbusPoint {
  tag: DriverTag;
  address: ModbusAddress;
  type: ModbusDataType;
  order: WordOrder;
  stringLength: number | undefined;
}

interface PollGroup {
  periodMs: number;
  reads: PlannedRead[];
  nextDue: number;
}

export class ModbusConfigError extends Error {}

function pointOf(tag: DriverTag, conn: ModbusConnectionConfig): ModbusPoint {
  const address = parseModbusAddress(tag.address);
  const bitTable = address.table === 'coil' || address.table === 'discrete';
  const declared = tag.options.type as ModbusDataType | undefined;
  const type: ModbusDataType = bitTable
    ? 'bool'
    : (declared ?? (tag.dataType === 'int' ? 'int16' : tag.dataType === 'bool' ? 'uint16' : 'float32'));
  if (bitTable && declared && declared !== 'bool')
    throw new ModbusConfigError(`${tag.name}: ${tag.address} is a bit address, type must be bool`);
  const order = (tag.options.wordOrder as WordOrder | undefined) ?? conn.wordOrder;
  const stringLength = typeof tag.options.stringLength === 'number' ? tag.options.stringLength : undefined;
  return { tag, address, type, order, stringLength };
}

/** A modbus-serial error carries `modbusCode` for exception responses. */
function exceptionCode(err: unknown): number | null {
  const code = (err as { modbusCode?: unknown } | null)?.modbusCode;
  return typeof code === 'number' ? code : null;
}

export function createModbusDriver(config: ModbusConnectionConfig, tags: DriverTag[], ctx: DriverContext): Driver {
  const points = tags.map((t) => pointOf(t, config));
  const byKey = new Map(points.map((p) => [p.tag.id, p]));
  const groups: PollGroup[] = [...new Set(points.map((p) => p.tag.periodMs))].map((periodMs) => ({
    periodMs,
    nextDue: 0,
    reads: planReads(
      points
        .filter((p) => p.tag.periodMs === periodMs)
        .map((p) => ({
          key: p.tag.id,
          table: p.address.table,
          offset: p.address.offset,
          count: p.type === 'bool' ? 1 : registerCount(p.type, p.stringLength),
        })),
      { maxGap: config.maxGap },
    ),
  }));

  const client = new ModbusRTU();
  let state: ConnectionState = 'disconnected';
  let stopped = true;
  let attempts = 0;
  let reconnects = 0;
  let lastError: string | null = null;
  let lastErrorAt: string | null = null;
  let latencyMs: number | null = null;
  const rate = new RateMeter();
  const errors: Record<string, number> = {};
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let sleepTimer: NodeJS.Timeout | null = null;
  /** Serialises polls and writes on the one connection. */
  let busy: Promise<unknown> = Promise.resolve();
  const endpoint =
    config.transport === 'tcp'
      ? `modbus-tcp://${config.host}:${config.port}/${config.unitId}`
      : `modbus-rtu://${config.serialPort}/${config.unitId}`;

  const fail = (kind: string, message: string) => {
    errors[kind] = (errors[kind] ?? 0) + 1;
    lastError = `${kind}: ${message}`;
    lastErrorAt = new Date().toISOString();
    ctx.log('warn', `[modbus:${config.name}] ${lastError}`);
  };
  const markBad = (ids: Iterable<number>, reason: string) => {
    const now = Date.now();
    for (const id of ids) ctx.bus.setQuality(id, 2, reason, now);
  };
  const allIds = () => tags.map((t) => t.id);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      sleepTimer = setTimeout(resolve, ms);
    });

  async function connect(): Promise<boolean> {
    state = 'connecting';
    try {
      if (config.transport === 'tcp') await client.connectTCP(config.host as string, { port: config.port });
      else await client.connectRTUBuffered(config.serialPort as string, { baudRate: config.baudRate, parity: config.parity });
      client.setID(config.unitId);
      client.setTimeout(config.timeoutMs);
      if (attempts > 0) reconnects++;
      attempts = 0;
      state = 'connected';
      return true;
    } catch (err) {
      fail('connect', err instanceof Error ? err.message : String(err));
      state = 'error';
      markBad(allIds(), `comm failure: ${lastError}`);
      return false;
    }
  }

  function closeSocket(): Promise<void> {
    return new Promise((resolve) => {
      if (!client.isOpen) return resolve();
      client.close(() => resolve());
    });
  }

  async function request(read: PlannedRead): Promise<number[] | boolean[]> {
    const t0 = Date.now();
    rate.add();
    let data: number[] | boolean[];
    switch (read.table) {
      case 'coil':
        data = (await client.readCoils(read.start, read.count)).data;
        break;
      case 'discrete':
        data = (await client.readDiscreteInputs(read.start, read.count)).data;
        break;
      case 'holding':
        data = (await client.readHoldingRegisters(read.start, read.count)).data;
        break;
      default:
        data = (await client.readInputRegisters(read.start, read.count)).data;
    }
    latencyMs = Date.now() - t0;
    return data;
  }

  function publish(read: PlannedRead, data: number[] | boolean[]) {
    const ts = Date.now();
    for (const item of read.items) {
      const p = byKey.get(item.key);
      if (!p) continue;
      const index = item.offset - read.start;
      let value: TagValue;
      if (p.type === 'bool') value = Boolean(data[index]);
      else {
        const decoded = decodeRegisters(data as number[], index, p.type, p.order, p.stringLength);
        // A float32 carries about 7 significant digits; showing more would be noise, not precision.
        const n = typeof decoded === 'number' && p.type === 'float32' ? Number(decoded.toPrecision(7)) : decoded;
        value = typeof n === 'number' ? toEngineering(n, p.tag.scaling) : n;
      }
      ctx.bus.update(p.tag.id, value, 0, ts);
    }
  }

  /** Run one group's reads; false when the connection is lost. */
  async function poll(group: PollGroup): Promise<boolean> {
    for (const read of group.reads) {
      let attempt = 0;
      for (;;) {
        try {
          publish(read, await request(read));
          break;
        } catch (err) {
          const code = exceptionCode(err);
          if (code !== null) {
            const name = EXCEPTIONS[code] ?? `code ${code}`;
            fail('exception', `${read.table} ${read.start}+${read.count}: exception ${code} (${name})`);
            markBad(
              read.items.map((i) => i.key),
              `Modbus exception ${code}: ${name}`,
            );
            break;
          }
          const message = err instanceof Error ? err.message : String(err);
          const timedOut = /timed out/i.test(message);
          if (timedOut && attempt++ < config.retries) continue;
          fail(timedOut ? 'timeout' : 'io', message);
          markBad(allIds(), `comm failure: ${timedOut ? 'no response' : message}`);
          return false;
        }
      }
    }
    return true;
  }

  async function run(): Promise<void> {
    while (!stopped) {
      if (!client.isOpen) {
        if (!(await connect())) {
          await sleep(backoffMs(attempts++, config.reconnect.initialDelayMs, config.reconnect.maxDelayMs));
          continue;
        }
      }
      const group = groups.reduce((a, b) => (b.nextDue < a.nextDue ? b : a));
      const wait = group.nextDue - Date.now();
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      const polled = busy.then(() => poll(group));
      busy = polled;
      const ok = await polled;
      group.nextDue = Math.max(group.nextDue + group.periodMs, Date.now());
      if (!ok && !stopped) {
        state = 'error';
        await closeSocket();
        await sleep(backoffMs(attempts++, config.reconnect.initialDelayMs, config.reconnect.maxDelayMs));
      }
    }
  }

  return {
    name: config.name,
    protocol: 'modbus',
    async start() {
      stopped = false;
      markBad(allIds(), 'comm failure: not connected yet');
      for (const g of groups) g.nextDue = Date.now();
      const first = connect();
      await first;
      loop = groups.length > 0 ? run() : null;
    },
    async stop() {
      stopped = true;
      if (sleepTimer) clearTimeout(sleepTimer);
      wake?.();
      await loop;
      await closeSocket();
      state = 'disconnected';
      markBad(allIds(), 'comm failure: driver stopped');
    },
    write(tagId, value) {
      const p = byKey.get(tagId);
      if (!p) return Promise.reject(new Error(`tag ${tagId} is not on connection ${config.name}`));
      const op = busy.then(async (): Promise<TagValue> => {
        if (state !== 'connected') throw new Error(`connection ${config.name} is ${state}`);
        const { table, offset } = p.address;
        if (table === 'discrete' || table === 'input') throw new Error(`${p.tag.name}: ${table} ${offset} is read-only in Modbus`);
        try {
          if (table === 'coil') await client.writeCoil(offset, Boolean(value));
          else {
            const raw = typeof value === 'boolean' ? Number(value) : toRaw(value, p.tag.scaling);
            const regs = encodeRegisters(raw, p.type, p.order, p.stringLength);
            if (regs.length === 1) await client.writeRegister(offset, regs[0] as number);
            else await client.writeRegisters(offset, regs);
          }
        } catch (err) {
          const code = exceptionCode(err);
          const message =
            code !== null ? `Modbus exception ${code}: ${EXCEPTIONS[code] ?? 'unknown'}` : err instanceof Error ? err.message : String(err);
          fail('write', `${p.tag.name}: ${message}`);
          throw new Error(message);
        }
        const count = p.type === 'bool' ? 1 : registerCount(p.type, p.stringLength);
        const read: PlannedRead = { table, start: offset, count, items: [{ key: tagId, table, offset, count }] };
        publish(read, await request(read));
        return ctx.bus.current(tagId).value;
      });
      busy = op.catch(() => undefined);
      return op;
    },
    testRead(address, options) {
      const probe = pointOf({ id: -1, name: address, address, dataType: 'float', scaling: null, periodMs: 0, options }, config);
      const op = busy.then(async (): Promise<TagValue> => {
        if (state !== 'connected') throw new Error(`connection ${config.name} is ${state}`);
        const count = probe.type === 'bool' ? 1 : registerCount(probe.type, probe.stringLength);
        const read: PlannedRead = { table: probe.address.table, start: probe.address.offset, count, items: [] };
        try {
          const data = await request(read);
          return probe.type === 'bool'
            ? Boolean(data[0])
            : decodeRegisters(data as number[], 0, probe.type, probe.order, probe.stringLength);
        } catch (err) {
          const code = exceptionCode(err);
          throw new Error(
            code !== null ? `Modbus exception ${code}: ${EXCEPTIONS[code] ?? 'unknown'}` : err instanceof Error ? err.message : String(err),
          );
        }
      });
      busy = op.catch(() => undefined);
      return op;
    },
    diagnostics(): ConnectionDiagnostics {
      return {
        name: config.name,
        protocol: 'modbus',
        endpoint,
        state,
        lastError,
        lastErrorAt,
        reconnects,
        tagCount: tags.length,
        rate: rate.perSecond(),
        latencyMs,
        errors: { ...errors },
      };
    },
  };
}
