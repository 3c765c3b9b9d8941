// The site file's MQTT connection entry and the per-tag options of MQTT tags.
import { z } from 'zod';
import type { ConnectionRules } from '../site-rules.js';

export const mqttConnectionSchema = z
  .object({
    name: z.string().min(1),
    protocol: z.literal('mqtt'),
    /** Broker URL: mqtt://host:1883, mqtts://host:8883, ws://…, wss://… ("demo" is pointed at the built-in broker by the core). */
    url: z.string().regex(/^(mqtts?|wss?|tcp|ssl|tls):\/\/[^\s]+$|^demo$/, 'mqtt://host:port, mqtts://host:port, ws:// or wss:// URL'),
    /** Defaults to "aurum-<connection name>-<random>"; brokers drop an older session with the same id. */
    clientId: z.string().min(1).max(128).optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    /** Files (PEM) for TLS; relative paths are resolved by the site-file loader. */
    tls: z
      .object({
        ca: z.string().optional(),
        cert: z.string().optional(),
        key: z.string().optional(),
        /** Only for test brokers: accept a server certificate that does not verify. */
        rejectUnauthorized: z.boolean().default(true),
        servername: z.string().optional(),
      })
      .strict()
      .refine((t) => !t.cert === !t.key, { message: 'tls.cert and tls.key go together' })
      .optional(),
    qos: z.union([z.literal(0), z.literal(1)]).default(1),
    /** json: topics carry JSON (or plain numbers) mapped to tags by field paths. sparkplug: Sparkplug B. */
    mode: z.enum(['json', 'sparkplug']).default('json'),
    keepaliveS: z.number().int().min(5).max(3600).default(30),
    connectTimeoutMs: z.number().int().min(500).max(60_000).default(5000),
    reconnect: z
      .object({ initialDelayMs: z.number().int().min(50).default(500), maxDelayMs: z.number().int().min(100).default(10_000) })
      .strict()
      .default({ initialDelayMs: 500, maxDelayMs: 10_000 }),
    sparkplug: z
      .object({
        /** When set, tag addresses leave out the group: "edge_node[/device]/metric". */
        groupId: z.string().min(1).optional(),
        /** Ask each configured edge node for a rebirth on every (re)connect, so values and aliases are current. */
        rebirthOnConnect: z.boolean().default(true),
        /** Least time between two rebirth requests to the same edge node. */
        rebirthMinIntervalMs: z.number().int().min(0).default(5000),
      })
      .strict()
      .default({ rebirthOnConnect: true, rebirthMinIntervalMs: 5000 }),
  })
  .strict();

export type MqttConnectionConfig = z.output<typeof mqttConnectionSchema>;

/** A field path into a JSON payload: "object.temperature", "uplink_message.decoded_payload.t", "rows[0].v"; "$" is the whole payload. */
const fieldPath = z.string().regex(/^(\$|[^.[\]]+|\[\d+\])(\.[^.[\]]+|\[\d+\])*$/, 'a field path like a.b[0].c, or $');

/** tag.options of a tag on a JSON-mode connection (the tag's address is its topic filter, + and # allowed). */
export const mqttJsonTagOptionsSchema = z
  .object({
    /** Where the value is; default: the payload itself when it is a plain number/bool/string, else its "value" field. */
    value: fieldPath.optional(),
    /** Where the source timestamp is (ISO 8601, or epoch seconds/milliseconds); default: time of receipt. */
    timestamp: fieldPath.optional(),
    /** Topic that writes publish {"value": v} to; without it the tag is read-only. */
    writeTopic: z.string().min(1).optional(),
  })
  .strict();

export type MqttJsonTagOptions = z.output<typeof mqttJsonTagOptionsSchema>;

/** tag.options of a tag on a Sparkplug connection (the tag's address is group/edge_node[/device]/metric). */
export const mqttSparkplugTagOptionsSchema = z.object({}).strict();

/**
 * The MQTT rules the site-file validator (native/site/) applies to each MQTT connection and the
 * tags that use it, so check-config refuses what this driver would fail on at run time.
 */
export const mqttSiteRules: ConnectionRules<MqttConnectionConfig> = (_conn, _connPath, _tags, _ctx) => {
  // The protocol rules are written by the MQTT driver's owner.
};
