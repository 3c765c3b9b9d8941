import { z } from 'zod';
import type { HttpForms } from './http.js';
import type { BrowseNode, TagDataType, TagValue } from './types.js';

/** Bounds of the tools that find tags at the source (docs/connectivity.md, "Finding tags at the source"). */
export const DISCOVER_LIMITS = {
  /** MQTT discovery listens at least 1 s and at most 60 s. */
  listenSMax: 60,
  /** Topics listed at most; more are counted, not listed. */
  maxTopics: 2000,
  /** Fields listed per JSON topic at most. */
  maxFields: 200,
  /** NodeIds whose tag attributes one request reads. */
  attributeNodes: 500,
  /** Test connection (connections.test) waits at most this long for the peer (the client gives up after 30 s). */
  testTimeoutSMax: 20,
} as const;

/** A server certificate by its SHA-1 thumbprint, plain hex or with colons. */
const certificateArg = z.object({ thumbprint: z.string().regex(/^[0-9a-fA-F:]{40,59}$/, 'a SHA-1 thumbprint in hex') }).strict();

export const connectionRequests = {
  /** OPC UA tag picker: the children of a node (the Objects folder when nodeId is null). */
  'connections.browse': z.object({ connection: z.string().min(1), nodeId: z.string().min(1).nullable().default(null) }).strict(),
  /** A live test read of an address before it becomes a tag (Modbus: "40001" with options.type, wordOrder). */
  'connections.testRead': z
    .object({ connection: z.string().min(1), address: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) })
    .strict(),
  /**
   * MQTT: listen on a topic filter for listenS seconds with a client of its own and list each topic
   * with its JSON fields or Sparkplug metrics, a type and a sample (filter default: # for JSON,
   * spBv1.0/# for Sparkplug).
   */
  'connections.discoverMqtt': z
    .object({
      connection: z.string().min(1),
      filter: z.string().min(1).max(512).optional(),
      listenS: z.number().int().min(1).max(DISCOVER_LIMITS.listenSMax).default(5),
      maxTopics: z.number().int().min(1).max(DISCOVER_LIMITS.maxTopics).default(500),
    })
    .strict(),
  /**
   * OPC UA: what tags made from these variables take from the server — name, type, access,
   * description, and the EngineeringUnits (EUInformation) and EURange properties where it has them.
   */
  'connections.tagAttributes': z
    .object({ connection: z.string().min(1), nodeIds: z.array(z.string().min(1)).min(1).max(DISCOVER_LIMITS.attributeNodes) })
    .strict(),
  /** Modbus: read the registers at an address and show them as every numeric type in every byte/word order. */
  'connections.decodeModbus': z.object({ connection: z.string().min(1), address: z.string().min(1).max(64) }).strict(),
  /** OPC UA server certificates seen by the console: rejected ones wait for an engineer to trust them. */
  'connections.certificates': z.object({}).strict().default({}),
  'connections.trustCertificate': certificateArg,
  /** Revoke a trust: the certificate goes back to the rejected list and the connections using it reconnect (and are refused). */
  'connections.revokeCertificate': certificateArg,
  /**
   * Test connection: open a connection from settings that need not be in the site file (a form's
   * unsaved entry, checked against the site file's connection schema), wait at most timeoutS for the
   * peer, close it again and answer in a sentence. Nothing is saved; running connections are not touched.
   */
  'connections.test': z
    .object({
      connection: z.record(z.string(), z.unknown()),
      timeoutS: z.number().int().min(1).max(DISCOVER_LIMITS.testTimeoutSMax).default(10),
    })
    .strict(),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const connectionHttp = {
  // Engineering tools of the desktop's configuration screens, offered to scripts through /api/call only.
  'connections.browse': 'call',
  'connections.testRead': 'call',
  'connections.discoverMqtt': 'call',
  'connections.tagAttributes': 'call',
  'connections.decodeModbus': 'call',
  'connections.certificates': 'call',
  'connections.trustCertificate': 'call',
  'connections.revokeCertificate': 'call',
  'connections.test': 'call',
} as const satisfies HttpForms<typeof connectionRequests>;

export interface CertificateInfo {
  status: 'trusted' | 'rejected';
  thumbprint: string;
  subject: string;
  validTo: string;
  /** The connections whose server presented this certificate since the console started (empty if none yet). */
  connections: string[];
}

/** One JSON field (path a.b[0].c, "$" for a bare scalar) or Sparkplug metric (its name) seen while listening. */
export interface MqttDiscoverField {
  path: string;
  /** In the source's words: JSON's number/boolean/string/null, or the Sparkplug datatype (Double, Int32…). */
  type: string;
  /** The tag data type it suggests; null where a tag cannot hold it (null, DataSet, Bytes…). */
  dataType: TagDataType | null;
  /** The last value seen (long text cut at 80 characters). */
  sample: TagValue;
  /** When it was seen (ms since epoch; Sparkplug: the metric's or payload's timestamp). */
  at: number;
  /** The tag's address and options on this connection, or null when this connection cannot make it a tag. */
  tag: { address: string; options: Record<string, unknown> } | null;
}

export interface MqttDiscoveredTopic {
  topic: string;
  kind: 'json' | 'sparkplug';
  messages: number;
  fields: MqttDiscoverField[];
  /** Why the last message gave no fields (not JSON, a Sparkplug DATA before its birth), else null. */
  problem: string | null;
}

export interface MqttDiscoverResult {
  connection: string;
  filter: string;
  listenMs: number;
  topics: MqttDiscoveredTopic[];
  /** Topics seen beyond maxTopics: counted, not listed. */
  topicsNotListed: number;
  /** Why the listen ended before listenMs (the broker closed the connection), else null. */
  interrupted: string | null;
}

/** One OPC UA node as a tag would take it; `problem` says why it cannot be one (not a variable, no such node, a structure). */
export interface OpcuaTagAttributes {
  nodeId: string;
  /** The browse name as a tag name (letters, digits, _ - .). */
  name: string | null;
  displayName: string | null;
  description: string | null;
  /** The built-in data type (Double, Int32, Boolean…). */
  dataType: string | null;
  tagDataType: TagDataType | null;
  /** EUInformation.displayName ("°C", "%"), and its description ("degree Celsius"). */
  unit: string | null;
  unitDescription: string | null;
  /** EURange. */
  range: { low: number; high: number } | null;
  /** CurrentWrite in AccessLevel ∧ UserAccessLevel (what the console's session may do). */
  writable: boolean | null;
  problem: string | null;
}

/** The registers at a Modbus address read as every numeric type and order (native/drivers/modbus/codec.ts decodeTableRows). */
export interface ModbusDecodeTable {
  /** The address as the console writes it (40001 for hr:0). */
  address: string;
  /** The raw registers read (up to 4: fewer where the device's map ends). */
  registers: number[];
  rows: {
    type: 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';
    order: 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';
    value: number | null;
    problem: string | null;
  }[];
}

export interface ConnectionResults {
  'connections.browse': BrowseNode[];
  'connections.testRead': { address: string; value: TagValue };
  'connections.discoverMqtt': MqttDiscoverResult;
  'connections.tagAttributes': OpcuaTagAttributes[];
  'connections.decodeModbus': ModbusDecodeTable;
  'connections.certificates': CertificateInfo[];
  'connections.trustCertificate': CertificateInfo;
  'connections.revokeCertificate': CertificateInfo;
  'connections.test': ConnectionTestResult;
}

/** What Test connection found: whether the peer took the connection, said in a sentence. */
export interface ConnectionTestResult {
  connection: string;
  ok: boolean;
  /** "plc1: connected to 127.0.0.1:502 in 12 ms" or what stopped it (the driver's own words). */
  sentence: string;
  /** Time from the first attempt to the answer. */
  ms: number;
}
