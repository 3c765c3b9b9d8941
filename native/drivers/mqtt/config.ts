// The site file's MQTT connection entry and the per-tag options of MQTT tags.
import { z } from 'zod';
import { isSealed } from '../../auth/secrets.js';
import { describeZodIssue } from '../../util/describe.js';
import { tlsClientSchema } from '../../util/tls-schema.js';
import { reconnectSchema } from '../connection.js';
import type { ConnectionRules, SiteRuleContext, SiteTagRef } from '../site-rules.js';
import { topicFilterProblem } from './topic.js';

export const mqttConnectionSchema = z
  .object({
    name: z.string().min(1),
    protocol: z.literal('mqtt'),
    /** Broker URL: mqtt://host:1883, mqtts://host:8883, ws://…, wss://… ("demo" is pointed at the built-in broker by the core). */
    url: z.string().regex(/^(mqtts?|wss?|tcp|ssl|tls):\/\/[^\s]+$|^demo$/, 'mqtt://host:port, mqtts://host:port, ws:// or wss:// URL'),
    /** Defaults to "aurum-<connection name>-<random>"; brokers drop an older session with the same id. */
    clientId: z.string().min(1).max(128).optional(),
    username: z.string().optional(),
    /**
     * The broker password, sealed with "aurum secret seal" (enc:v1:…); the core opens it in memory
     * for the driver only. A plain-text password never stands in a site file.
     */
    passwordSecret: z.string().min(1).optional(),
    /** Not accepted: read only so that mqttSiteRules can say how to seal it (see passwordSecret). */
    password: z.unknown().optional(),
    /**
     * How often every tag of this connection is expected to publish. Set it for sources that publish
     * periodically: a value older than three periods turns Uncertain ("stale"). Leave it out for
     * event-driven sources (LoRaWAN uplinks, report by exception): their values stay Good until the
     * broker connection is lost. A tag's options.expectedPeriodMs overrides it.
     */
    expectedPeriodMs: z.number().int().min(100).max(86_400_000).optional(),
    tls: tlsClientSchema.optional(),
    qos: z.union([z.literal(0), z.literal(1)]).default(1),
    /** json: topics carry JSON (or plain numbers) mapped to tags by field paths. sparkplug: Sparkplug B. */
    mode: z.enum(['json', 'sparkplug']).default('json'),
    keepaliveS: z.number().int().min(5).max(3600).default(30),
    connectTimeoutMs: z.number().int().min(500).max(60_000).default(5000),
    reconnect: reconnectSchema,
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

/** A tag's own expected message period (see the connection's expectedPeriodMs). */
const expectedPeriodMs = z.number().int().min(100).max(86_400_000).optional();

/** A field path into a JSON payload: "object.temperature", "uplink_message.decoded_payload.t", "rows[0].v"; "$" is the whole payload. */
export const FIELD_PATH_PATTERN = /^(\$|[^.[\]]+|\[\d+\])(\.[^.[\]]+|\[\d+\])*$/;
const fieldPath = z.string().regex(FIELD_PATH_PATTERN, 'a field path like a.b[0].c, or $');

/** tag.options of a tag on a JSON-mode connection (the tag's address is its topic filter, + and # allowed). */
export const mqttJsonTagOptionsSchema = z
  .object({
    /** Where the value is; default: the payload itself when it is a plain number/bool/string, else its "value" field. */
    value: fieldPath.optional(),
    /** Where the source timestamp is (ISO 8601, or epoch seconds/milliseconds); default: time of receipt. */
    timestamp: fieldPath.optional(),
    /** Topic that writes publish {"value": v} to; without it the tag is read-only. */
    writeTopic: z.string().min(1).optional(),
    expectedPeriodMs,
  })
  .strict();

export type MqttJsonTagOptions = z.output<typeof mqttJsonTagOptionsSchema>;

/** tag.options of a tag on a Sparkplug connection (the tag's address is group/edge_node[/device]/metric). */
export const mqttSparkplugTagOptionsSchema = z.object({ expectedPeriodMs }).strict();

/**
 * A tag's expected message period: its own options.expectedPeriodMs, else the connection's, else 0
 * (event-driven: never turned stale by time alone). The site model puts it in TagInfo.
 */
export function mqttExpectedPeriodMs(conn: Pick<MqttConnectionConfig, 'expectedPeriodMs'>, options: Record<string, unknown>): number {
  const own = options.expectedPeriodMs;
  if (typeof own === 'number' && Number.isInteger(own) && own > 0) return own;
  return conn.expectedPeriodMs ?? 0;
}

/** Why a Sparkplug tag address is not group/edge_node[/device]/metric (group left out when groupId is set), or null. */
export function sparkplugAddressProblem(address: string, groupId: string | undefined): string | null {
  const key = groupId ? `${groupId}/${address}` : address;
  const parts = key.split('/');
  const form = `${groupId ? '' : 'group/'}edge_node[/device]/metric`;
  if (parts.length < 3 || parts.some((p) => p === ''))
    return `Sparkplug address "${address}" must be ${form}${groupId ? ` (the group "${groupId}" comes from sparkplug.groupId)` : ''}`;
  if (parts.slice(0, 3).some((p) => /[+#]/.test(p))) return `Sparkplug address "${address}" has a wildcard (+ or #): name one metric`;
  return null;
}

function optionIssues(schema: z.ZodType, tag: SiteTagRef, ctx: SiteRuleContext): void {
  const r = schema.safeParse(tag.options);
  if (r.success) return;
  for (const issue of r.error.issues)
    for (const d of describeZodIssue(issue, schema, tag.options, [...tag.path, 'options'])) ctx.report(d.path, `${tag.name}: ${d.message}`);
}

/**
 * The MQTT rules the site-file validator (native/site/) applies to each MQTT connection and the
 * tags that use it, so check-config refuses what this driver would fail on at run time.
 */
export const mqttSiteRules: ConnectionRules<MqttConnectionConfig> = (conn, connPath, tags, ctx) => {
  if (conn.password !== undefined)
    ctx.report(
      [...connPath, 'password'],
      'a plain-text password never stands in a site file: seal it with "aurum secret seal" and write the enc:v1:… text it prints as passwordSecret',
    );
  if (conn.passwordSecret !== undefined && !isSealed(conn.passwordSecret))
    ctx.report(
      [...connPath, 'passwordSecret'],
      'is not a sealed secret: seal the password with "aurum secret seal" and put the enc:v1:… text here; a plain-text password never stands in a site file',
    );
  if (conn.passwordSecret !== undefined && conn.username === undefined)
    ctx.report([...connPath, 'username'], 'is required with passwordSecret: the broker checks a password for a user name');
  for (const field of ['ca', 'cert', 'key'] as const) {
    const name = conn.tls?.[field];
    if (name !== undefined) ctx.resolveFile([...connPath, 'tls', field], name);
  }
  const sparkplugKeys = new Map<string, string>();
  for (const tag of tags) {
    if (conn.mode === 'json') {
      const filter = topicFilterProblem(tag.address);
      if (filter) ctx.report([...tag.path, 'address'], `${tag.name}: ${filter}`);
      optionIssues(mqttJsonTagOptionsSchema, tag, ctx);
      const writeTopic = tag.options.writeTopic;
      if (typeof writeTopic === 'string' && /[+#]/.test(writeTopic))
        ctx.report(
          [...tag.path, 'options', 'writeTopic'],
          `${tag.name}: the write topic "${writeTopic}" has a wildcard (+ or #): a message is published to one topic`,
        );
      if (tag.writable && writeTopic === undefined)
        ctx.report(
          [...tag.path, 'writable'],
          `${tag.name} is writable but has no options.writeTopic: name the topic a write publishes {"value": v} to, or make it read-only`,
        );
    } else {
      const problem = sparkplugAddressProblem(tag.address, conn.sparkplug.groupId);
      if (problem) ctx.report([...tag.path, 'address'], `${tag.name}: ${problem}`);
      else {
        const key = conn.sparkplug.groupId ? `${conn.sparkplug.groupId}/${tag.address}` : tag.address;
        const other = sparkplugKeys.get(key);
        if (other) ctx.report([...tag.path, 'address'], `${tag.name}: Sparkplug metric ${key} is already mapped to ${other}`);
        else sparkplugKeys.set(key, tag.name);
      }
      optionIssues(mqttSparkplugTagOptionsSchema, tag, ctx);
    }
  }
};
