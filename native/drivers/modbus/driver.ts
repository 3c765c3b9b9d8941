// Modbus TCP / RTU / RTU-over-TCP driver (modbus-serial). Tags are grouped by poll period; each
// group's tags are coalesced by the planner into the fewest reads the protocol allows. One request
// is on the wire at a time (Modbus is half-duplex per connection); groups are served earliest-due first.
//
// Failures are told apart, because each calls for a different answer:
// - no reply (timeout): the request is sent again up to `retries` times; only then the unit counts as
//   silent: every tag turns Bad "timeout: no response from unit N", the link stays up (the socket is
//   fine; a silent unit or a wrong unit id is not cured by reconnecting: the link is "degraded") and
//   the next poll asks again.
// - connection lost (socket closed or refused): every tag Bad "comm failure: connection lost …", then
//   reconnect with exponential backoff (the shared life cycle, ../connection.ts).
// - a Modbus exception: only the registers that raise it. A read that raises an address-type exception
//   (1, 2, 3) is split in halves until the failing tags are isolated; their neighbours stay Good, and
//   the split plan is kept (until the next reconnect), so a hole in the device's map is bisected once.
// Every repeated fault is logged through RepeatedFault: once when it starts, counted, once when it clears.
import ModbusRTU from 'modbus-serial';
import type { TagDataType, TagValue } from '../../api/types.js';
import { describeError } from '../../util/errors.js';
import { Connection, type LinkHandle } from '../connection.js';
import { type Driver, type DriverContext, type DriverTag, toEngineering, toRaw } from '../driver.js';
import { formatModbusAddress, type ModbusAddress, type ModbusTable, parseModbusAddress } from './address.js';
import { decodeRegisters, decodeTableRows, encodeRegisters, shownValue } from './codec.js';
import { type ModbusConnectionConfig, type ModbusPoint, resolveModbusPoint, serialOptions } from './config.js';
import { type PlannedRead, planReads } from './planner.js';

/** Names as the Modbus specification gives them. */
export const MODBUS_EXCEPTIONS: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** Exceptions that depend on which registers were asked for: splitting the read finds the culprits. */
const ADDRESS_EXCEPTIONS = new Set([1, 2, 3]);
/** Exceptions from a gateway that cannot reach the unit: the unit is silent, whatever the address. */
const GATEWAY_EXCEPTIONS = new Set([10, 11]);

const TABLE_PREFIX: Record<ModbusTable, string> = { coil: 'co', discrete: 'di', input: 'ir', holding: 'hr' };

interface Point extends ModbusPoint {
  tag: DriverTag;
}

interface PollGroup {
  periodMs: number;
  /** The plan as first made; `reads` is it with the splits exceptions forced, reset on reconnect. */
  planned: PlannedRead[];
  reads: PlannedRead[];
  nextDue: number;
}

export class ModbusConfigError extends Error {
  override name = 'ModbusConfigError';
}

/** What came of one request, after its retries. */
export type ModbusOutcome =
  | { kind: 'ok'; data: number[] | boolean[] }
  | { kind: 'exception'; code: number }
  | { kind: 'timeout' }
  | { kind: 'io'; message: string }
  | { kind: 'lost'; message: string };

/** How a modbus-serial failure is classified. It throws plain objects ({ name, message, errno, modbusCode }), not Errors. */
export function classifyModbusError(err: unknown, linkOpen: boolean): ModbusOutcome {
  const o = (typeof err === 'object' && err !== null ? err : {}) as { modbusCode?: unknown; errno?: unknown; name?: unknown };
  if (typeof o.modbusCode === 'number') return { kind: 'exception', code: o.modbusCode };
  if (!linkOpen || o.name === 'PortNotOpenError') return { kind: 'lost', message: describeError(err) };
  if (o.errno === 'ETIMEDOUT' || o.name === 'TransactionTimedOutError' || /timed out/i.test(describeError(err))) return { kind: 'timeout' };
  return { kind: 'io', message: describeError(err) };
}

export function exceptionText(code: number): string {
  return `exception ${code} ${MODBUS_EXCEPTIONS[code] ?? 'unknown exception code'}`;
}

/** hr:107, or hr:106-107 for a range: the 0-based offsets the wire carries. */
export function rangeText(table: ModbusTable, start: number, count: number): string {
  return `${TABLE_PREFIX[table]}:${start}${count > 1 ? `-${start + count - 1}` : ''}`;
}

function pointOf(tag: DriverTag, conn: ModbusConnectionConfig, writable: boolean): Point {
  const { point, problems } = resolveModbusPoint({ address: tag.address, dataType: tag.dataType, writable, options: tag.options }, conn);
  if (!point) throw new ModbusConfigError(`${conn.name}: ${tag.name}: ${problems.map((p) => p.message).join('; ')}`);
  return { ...point, tag };
}

/** A test read's probe: the tag type follows the requested Modbus type, as a configured tag's would. */
function probeType(address: string, options: Record<string, unknown>): TagDataType {
  let table: ModbusTable | null = null;
  try {
    table = parseModbusAddress(address).table;
  } catch {
    // resolveModbusPoint reports the address with the accepted notations.
  }
  if (table === 'coil' || table === 'discrete' || typeof options.bit === 'number' || options.type === 'bool') return 'bool';
  if (options.type === 'string') return 'string';
  if (typeof options.type === 'string' && /^u?int/.test(options.type)) return 'int';
  return 'float';
}

/**
 * Join reads that answered and sit back to back (every register between them was read without an
 * exception), so isolating one register costs at most two extra requests per poll. Reads with a gap
 * between them stay apart: the gap may be the hole.
 */
function rejoin(parts: PlannedRead[], failed: Set<PlannedRead>): PlannedRead[] {
  const out: PlannedRead[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (last && !failed.has(last) && !failed.has(p) && last.start + last.count === p.start)
      out[out.length - 1] = { table: p.table, start: last.start, count: last.count + p.count, items: [...last.items, ...p.items] };
    else out.push(p);
  }
  return out;
}

/** Split a read's points into two halves, each read on its own; null when it is one point (or several at exactly one range). */
function halves(read: PlannedRead): [PlannedRead, PlannedRead] | null {
  const items = [...read.items].sort((a, b) => a.offset - b.offset || a.count - b.count);
  const first = items[0];
  if (!first || items.every((i) => i.offset === first.offset && i.count === first.count)) return null;
  // Split where the address changes, so points at one range stay together.
  let mid = Math.floor(items.length / 2);
  while (mid > 0 && items[mid]?.offset === items[mid - 1]?.offset && items[mid]?.count === items[mid - 1]?.count) mid--;
  if (mid === 0) mid = items.findIndex((i) => i.offset !== first.offset || i.count !== first.count);
  const span = (part: typeof items): PlannedRead => {
    const start = Math.min(...part.map((i) => i.offset));
    const end = Math.max(...part.map((i) => i.offset + i.count));
    return { table: read.table, start, count: end - start, items: part };
  };
  return [span(items.slice(0, mid)), span(items.slice(mid))];
}

export function createModbusDriver(config: ModbusConnectionConfig, tags: DriverTag[], ctx: DriverContext): Driver {
  // Writability is checked at write time; resolve every tag as readable so a config error names its tag here.
  const points = tags.map((t) => pointOf(t, config, false));
  const byKey = new Map(points.map((p) => [p.tag.id, p]));
  const groups: PollGroup[] = [...new Set(points.map((p) => p.tag.periodMs))].map((periodMs) => {
    const planned = planReads(
      points
        .filter((p) => p.tag.periodMs === periodMs)
        .map((p) => ({ key: p.tag.id, table: p.address.table, offset: p.address.offset, count: p.count })),
      { maxGap: config.maxGap },
    );
    return { periodMs, planned, reads: [...planned], nextDue: 0 };
  });

  const client = new ModbusRTU();
  const unit = `unit ${config.unitId}`;
  const label = `[modbus:${config.name}]`;
  /** Serialises polls and writes on the one connection. */
  let busy: Promise<unknown> = Promise.resolve();
  const endpoint =
    config.transport === 'tcp'
      ? `modbus-tcp://${config.host}:${config.port}/${config.unitId}`
      : config.transport === 'rtu-over-tcp'
        ? `modbus-rtu-over-tcp://${config.host}:${config.port}/${config.unitId}`
        : `modbus-rtu://${config.serialPort}/${config.unitId}`;

  const markBad = (ids: Iterable<number>, reason: string) => {
    const now = Date.now();
    for (const id of ids) ctx.bus.setQuality(id, 2, reason, now);
  };
  const allIds = () => tags.map((t) => t.id);

  function closeSocket(): Promise<void> {
    return new Promise((resolve) => {
      if (!client.isOpen) return resolve();
      client.close(() => resolve());
    });
  }

  const link = new Connection(
    {
      name: config.name,
      protocol: 'modbus',
      endpoint,
      tagCount: tags.length,
      reconnect: config.reconnect,
      log: ctx.log,
      label,
      ...(ctx.clock ? { clock: ctx.clock } : {}),
    },
    {
      async open() {
        if (config.transport === 'tcp') await client.connectTCP(config.host as string, { port: config.port });
        // modbus-serial's "TcpRTUBuffered" port speaks MBAP; its telnet port is the one that sends bare RTU frames (with CRC) over TCP.
        else if (config.transport === 'rtu-over-tcp') await client.connectTelnet(config.host as string, { port: config.port });
        else await client.connectRTUBuffered(config.serialPort as string, serialOptions(config));
        client.setID(config.unitId);
        client.setTimeout(config.timeoutMs);
        for (const g of groups) g.reads = [...g.planned];
      },
      openFailed: (err) => ({ kind: 'connect', message: `cannot connect to ${endpoint}: ${describeError(err)}` }),
      run: (handle) => pollLoop(handle),
      close: closeSocket,
      markBad: (reason) => markBad(allIds(), reason),
    },
  );

  /**
   * RTU frames carry no transaction id: a reply that arrives after its request timed out would be
   * taken for the answer to the next request of the same length. Drop whatever is buffered before
   * each request (modbus-serial's RTU ports keep it in `_buffer`; TCP matches replies by id instead).
   */
  const rtu = config.transport !== 'tcp';
  function discardStaleInput() {
    const port = (client as unknown as { _port?: { _buffer?: unknown } })._port;
    if (port && Buffer.isBuffer(port._buffer)) port._buffer = Buffer.alloc(0);
  }

  async function request(read: Pick<PlannedRead, 'table' | 'start' | 'count'>): Promise<number[] | boolean[]> {
    if (rtu) discardStaleInput();
    const t0 = Date.now();
    link.rate.add();
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
    link.measured(Date.now() - t0);
    return data;
  }

  /** One read, sent again on no reply up to `retries` times. */
  async function attempt(read: Pick<PlannedRead, 'table' | 'start' | 'count'>): Promise<ModbusOutcome> {
    for (let tries = 0; ; tries++) {
      try {
        return { kind: 'ok', data: await request(read) };
      } catch (err) {
        const outcome = classifyModbusError(err, client.isOpen);
        if (outcome.kind === 'timeout' || outcome.kind === 'io') {
          link.count(outcome.kind, outcome.kind === 'timeout' ? 'timeout' : 'protocol');
          if (tries < config.retries && client.isOpen) {
            link.count('retry');
            continue;
          }
        }
        return outcome;
      }
    }
  }

  function decode(p: Point, data: number[] | boolean[], index: number): TagValue {
    if (p.bit !== null) return (((data[index] as number) >> p.bit) & 1) === 1;
    if (p.type === 'bool') return Boolean(data[index]);
    const decoded = decodeRegisters(data as number[], index, p.type, p.order, p.stringLength);
    const n = typeof decoded === 'number' ? shownValue(p.type, decoded) : decoded;
    return typeof n === 'number' ? toEngineering(n, p.tag.scaling) : n;
  }

  function publish(read: PlannedRead, data: number[] | boolean[]) {
    const ts = Date.now();
    for (const item of read.items) {
      const p = byKey.get(item.key);
      if (p) ctx.bus.update(p.tag.id, decode(p, data, item.offset - read.start), 0, ts);
    }
  }

  const exceptionKey = (read: PlannedRead) => `exception ${rangeText(read.table, read.start, read.count)}`;

  /** A read that cannot be split further raised `code`: its tags alone turn Bad. */
  function isolated(read: PlannedRead, code: number) {
    const reason = `${config.name} ${unit} ${rangeText(read.table, read.start, read.count)}: ${exceptionText(code)}`;
    link.fault({
      kind: 'exception',
      key: exceptionKey(read),
      cls: 'protocol',
      message: `${reason} (${read.items.map((i) => byKey.get(i.key)?.tag.name).join(', ')} Bad)`,
    });
    markBad(
      read.items.map((i) => i.key),
      reason,
    );
  }

  type Abort = Extract<ModbusOutcome, { kind: 'timeout' | 'io' | 'lost' }>;

  /**
   * Bisect a read that raised an address exception; returns the reads that replace it in address
   * order, or why it stopped. The reads that still raise it are added to `failed`.
   */
  async function split(read: PlannedRead, code: number, failed: Set<PlannedRead>): Promise<PlannedRead[] | Abort> {
    const parts = halves(read);
    if (!parts) {
      isolated(read, code);
      failed.add(read);
      return [read];
    }
    const out: PlannedRead[] = [];
    for (const part of parts) {
      const outcome = await attempt(part);
      if (outcome.kind === 'ok') {
        publish(part, outcome.data);
        out.push(part);
      } else if (outcome.kind === 'exception' && ADDRESS_EXCEPTIONS.has(outcome.code)) {
        const sub = await split(part, outcome.code, failed);
        if (!Array.isArray(sub)) return sub;
        out.push(...sub);
      } else if (outcome.kind === 'exception') {
        isolated(part, outcome.code);
        failed.add(part);
        out.push(part);
      } else return outcome;
    }
    return out;
  }

  /** A poll ended early: the unit is silent (link kept, degraded) or the link is gone. Every tag turns Bad with why. */
  function abort(outcome: Abort | { kind: 'gateway'; code: number }, handle: LinkHandle): 'silent' | 'lost' {
    if (outcome.kind === 'lost') {
      handle.lost({ kind: 'lost', message: `connection to ${endpoint} lost: ${outcome.message}` });
      return 'lost';
    }
    const tried = config.retries + 1;
    const reason =
      outcome.kind === 'timeout'
        ? `timeout: no response from ${unit} within ${config.timeoutMs} ms (${tried} attempt${tried === 1 ? '' : 's'})`
        : outcome.kind === 'gateway'
          ? `timeout: ${unit} unreachable through the gateway: ${exceptionText(outcome.code)}`
          : `no valid response from ${unit}: ${outcome.message}`;
    // Requests without reply and retries are already counted, one by one, in attempt().
    link.degrade({
      kind: outcome.kind === 'gateway' ? 'exception' : null,
      key: 'silent',
      cls: outcome.kind === 'io' ? 'protocol' : 'timeout',
      message: reason,
    });
    markBad(allIds(), reason);
    return 'silent';
  }

  const answers = () => link.recover('silent', `${unit} answers again`);

  /** Run one group's reads. 'silent': the unit did not answer (link kept); 'lost': reconnect. */
  async function poll(group: PollGroup, handle: LinkHandle): Promise<'ok' | 'silent' | 'lost'> {
    for (let i = 0; i < group.reads.length; i++) {
      const read = group.reads[i] as PlannedRead;
      const outcome = await attempt(read);
      if (outcome.kind === 'ok') {
        answers();
        if (link.faults.isActive(exceptionKey(read)))
          link.clear(exceptionKey(read), `${rangeText(read.table, read.start, read.count)} reads again`);
        publish(read, outcome.data);
        continue;
      }
      if (outcome.kind !== 'exception') return abort(outcome, handle);
      answers();
      if (GATEWAY_EXCEPTIONS.has(outcome.code)) return abort({ kind: 'gateway', code: outcome.code }, handle);
      if (!ADDRESS_EXCEPTIONS.has(outcome.code) || read.items.length === 1) {
        isolated(read, outcome.code);
        continue;
      }
      const failed = new Set<PlannedRead>();
      const split_ = await split(read, outcome.code, failed);
      if (!Array.isArray(split_)) return abort(split_, handle);
      const parts = rejoin(split_, failed);
      ctx.log(
        'debug',
        `${label} ${rangeText(read.table, read.start, read.count)} split into ${parts.length} reads after ${exceptionText(outcome.code)}`,
      );
      group.reads.splice(i, 1, ...parts);
      i += parts.length - 1;
    }
    return 'ok';
  }

  /** While the link is up: the group due first is polled, one request on the wire at a time. */
  async function pollLoop(handle: LinkHandle): Promise<void> {
    if (groups.length === 0) return;
    while (handle.current) {
      const group = groups.reduce((a, b) => (b.nextDue < a.nextDue ? b : a));
      const wait = group.nextDue - Date.now();
      if (wait > 0) {
        await handle.sleep(wait);
        continue;
      }
      const polled = busy.then(() => poll(group, handle));
      // A poll that throws ends this link (the life cycle reconnects); the next request must still run.
      busy = polled.catch(() => undefined);
      const result = await polled;
      group.nextDue = Math.max(group.nextDue + group.periodMs, Date.now());
      if (result === 'lost') return;
    }
  }

  /** A one-off request outside the poll loop (write read-back, test read), with the same classification. */
  async function once(read: Pick<PlannedRead, 'table' | 'start' | 'count'>, what: string): Promise<number[] | boolean[]> {
    const outcome = await attempt(read);
    if (outcome.kind === 'ok') return outcome.data;
    const where = `${config.name} ${unit} ${rangeText(read.table, read.start, read.count)}`;
    if (outcome.kind === 'exception') throw new Error(`${what} ${where}: Modbus ${exceptionText(outcome.code)}`);
    if (outcome.kind === 'timeout') throw new Error(`${what} ${where}: timeout: no response from ${unit}`);
    throw new Error(`${what} ${where}: ${outcome.message}`);
  }

  /** Run `op` after whatever is on the wire, once the link is up. */
  function queued<T>(op: () => Promise<T>): Promise<T> {
    const done = busy.then(() => {
      if (!link.up) throw new Error(`connection ${config.name} is ${link.publicState}`);
      return op();
    });
    busy = done.catch(() => undefined);
    return done;
  }

  return {
    ...link.face(),
    start() {
      for (const g of groups) g.nextDue = Date.now();
      return link.start();
    },
    write(tagId, value) {
      const p = byKey.get(tagId);
      if (!p) return Promise.reject(new Error(`tag ${tagId} is not on connection ${config.name}`));
      return queued(async () => {
        const { table, offset } = p.address;
        const where = `${config.name} ${unit} ${rangeText(table, offset, p.count)}`;
        if (table === 'discrete' || table === 'input') throw new Error(`${p.tag.name}: ${where} is read-only in Modbus`);
        if (p.bit !== null) throw new Error(`${p.tag.name}: bit ${p.bit} of ${where} cannot be written on its own`);
        try {
          if (table === 'coil') await client.writeCoil(offset, Boolean(value));
          else {
            const raw = typeof value === 'boolean' ? Number(value) : toRaw(value, p.tag.scaling);
            const regs = encodeRegisters(raw, p.type, p.order, p.stringLength);
            if (regs.length === 1) await client.writeRegister(offset, regs[0] as number);
            else await client.writeRegisters(offset, regs);
          }
        } catch (err) {
          const outcome = classifyModbusError(err, client.isOpen);
          const message =
            outcome.kind === 'exception'
              ? `${where}: Modbus ${exceptionText(outcome.code)}`
              : outcome.kind === 'timeout'
                ? `${where}: timeout: no response from ${unit}`
                : `${where}: ${describeError(err)}`;
          // Every refused write is logged: each is an operator's action, not a repeating fault.
          link.fault({ kind: 'write', key: null, message: `write of ${p.tag.name} failed: ${message}` });
          ctx.log('warn', `${label} write of ${p.tag.name} failed: ${message}`);
          throw new Error(message);
        }
        const read: PlannedRead = { table, start: offset, count: p.count, items: [{ key: tagId, table, offset, count: p.count }] };
        publish(read, await once(read, 'read-back of'));
        return ctx.bus.current(tagId).value;
      });
    },
    testRead(address, options) {
      let probe: Point;
      try {
        probe = pointOf(
          { id: -1, name: address, address, dataType: probeType(address, options), scaling: null, periodMs: 0, options },
          config,
          false,
        );
      } catch (err) {
        return Promise.reject(err);
      }
      return queued(async () => {
        const data = await once({ table: probe.address.table, start: probe.address.offset, count: probe.count }, 'test read of');
        return decode(probe, data, 0);
      });
    },
    decodeTable(address) {
      let at: ModbusAddress;
      try {
        at = parseModbusAddress(address);
      } catch (err) {
        return Promise.reject(new ModbusConfigError(`${config.name}: ${describeError(err)}`));
      }
      if (at.table === 'coil' || at.table === 'discrete')
        return Promise.reject(
          new ModbusConfigError(
            `${config.name}: ${address} is a ${at.table === 'coil' ? 'coil' : 'discrete input'}, one bit: test-read it as bool`,
          ),
        );
      return queued(async () => {
        // As many registers as the widest type needs; near the end of a device's map, fewer.
        let registers: number[] | null = null;
        let last: unknown = null;
        for (const count of [4, 2, 1]) {
          try {
            registers = (await once({ table: at.table, start: at.offset, count }, 'decode read of')) as number[];
            break;
          } catch (err) {
            last = err;
          }
        }
        if (!registers) throw last;
        return { address: formatModbusAddress(at), registers, rows: decodeTableRows(registers) };
      });
    },
  };
}
