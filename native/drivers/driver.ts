// The one interface every protocol driver implements. A driver runs its connection life through
// the shared life cycle (./connection.ts: connect, reconnect with backoff, subscribe or poll,
// diagnostics) with a thin adapter of its protocol, writes values with quality and source
// timestamp into the tag bus, and reports diagnostics. It never throws out of start(): an
// unreachable peer is a state (Bad quality, diagnostics say why), not a crash.
import type { ModbusDecodeTable, MqttDiscoverResult, OpcuaTagAttributes } from '../api/connection-requests.js';
import type { BrowseNode, ConnectionDiagnostics, ConnectionProtocol, TagDataType, TagValue } from '../api/types.js';
import type { TagBus } from '../tags/bus.js';
import type { Logger } from '../util/log.js';
import type { Clock, Connection } from './connection.js';

/** Linear scaling raw → engineering units. */
export interface Scaling {
  rawLo: number;
  rawHi: number;
  engLo: number;
  engHi: number;
  clamp: boolean;
}

/** What a driver needs to know about one tag. */
export interface DriverTag {
  id: number;
  name: string;
  /** Protocol address: an OPC UA NodeId, a Modbus address, an MQTT topic (+ field). */
  address: string;
  dataType: TagDataType;
  scaling: Scaling | null;
  /** Sampling (OPC UA) or poll (Modbus) period. */
  periodMs: number;
  /** Protocol-specific options that belong to one tag (Modbus type/word order, JSON path…). */
  options: Record<string, unknown>;
}

export type DriverLogger = Logger;

export interface DriverContext {
  bus: TagBus;
  log: DriverLogger;
  /** Folder for the driver's own files (OPC UA PKI…). */
  dataDir: string;
  /** The site's identity, for what a driver presents to peers (the OPC UA application certificate). */
  site?: { name: string; organization?: string; applicationUri?: string };
  /** The life cycle's clock (backoff timers, fault times); the system clock when absent. Tests drive their own. */
  clock?: Clock;
}

export interface Driver {
  readonly name: string;
  readonly protocol: ConnectionProtocol;
  /** Begin connecting; resolves once the first attempt is made, whatever its outcome. */
  start(): Promise<void>;
  /** Disconnect and release everything; the driver's tags turn Bad. */
  stop(): Promise<void>;
  /** Write a value (engineering units) to a tag and return the value read back. */
  write(tagId: number, value: number | boolean): Promise<TagValue>;
  diagnostics(): ConnectionDiagnostics;
  /** The shared life cycle the driver runs (./connection.ts): its state events and full snapshot. */
  readonly connection?: Connection;
  /** OPC UA: the children of a node (the Objects folder when null), for the tag picker. */
  browse?(nodeId: string | null): Promise<BrowseNode[]>;
  /** A one-off read of an address that need not be a configured tag: the engineer's live test read. */
  testRead?(address: string, options: Record<string, unknown>): Promise<TagValue>;
  /** MQTT: listen on a topic filter with a client of its own and list what the topics carry. */
  discover?(opts: { filter?: string; listenMs: number; maxTopics: number }): Promise<MqttDiscoverResult>;
  /** OPC UA: what tags made from these nodes take from the server (type, unit, range…), in the order asked. */
  tagAttributes?(nodeIds: string[]): Promise<OpcuaTagAttributes[]>;
  /** Modbus: the registers at an address read as every numeric type and byte/word order. */
  decodeTable?(address: string): Promise<ModbusDecodeTable>;
}

export function toRaw(value: number, s: Scaling | null): number {
  if (!s) return value;
  return s.rawLo + ((value - s.engLo) * (s.rawHi - s.rawLo)) / (s.engHi - s.engLo);
}

export function toEngineering(raw: number, s: Scaling | null): number {
  if (!s) return raw;
  const v = s.engLo + ((raw - s.rawLo) * (s.engHi - s.engLo)) / (s.rawHi - s.rawLo);
  if (!s.clamp) return v;
  const lo = Math.min(s.engLo, s.engHi);
  const hi = Math.max(s.engLo, s.engHi);
  return Math.min(hi, Math.max(lo, v));
}
