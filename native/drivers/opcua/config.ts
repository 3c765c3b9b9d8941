// The site file's OPC UA connection entry, the per-tag options of OPC UA tags, and the rules the
// site-file validator applies to both (NodeId syntax, endpoint URL, security pairs, sealed password).
import { z } from 'zod';
import { isSealed } from '../../auth/secrets.js';
import { reconnectSchema } from '../connection.js';
import type { ConnectionRules } from '../site-rules.js';
import { parseNodeId } from './nodeid.js';

/**
 * A DataChangeFilter deadband: `absolute` in the server's units (before the tag's scaling), or
 * `percent` of the node's EURange (the server refuses a percent deadband on a node without one).
 */
export const opcuaDeadbandSchema = z
  .object({ type: z.enum(['absolute', 'percent']), value: z.number().positive() })
  .strict()
  .refine((d) => d.type !== 'percent' || d.value <= 100, { message: 'a percent deadband is at most 100', path: ['value'] });
export type OpcuaDeadband = z.output<typeof opcuaDeadbandSchema>;

/** tag.options of an OPC UA tag. */
export const opcuaTagOptionsSchema = z
  .object({
    /** This tag's deadband; `none` turns off the connection's default for this tag. */
    deadband: z.union([opcuaDeadbandSchema, z.literal('none')]).optional(),
  })
  .strict();
export type OpcuaTagOptions = z.output<typeof opcuaTagOptionsSchema>;

export const opcuaConnectionSchema = z
  .object({
    name: z.string().min(1),
    protocol: z.literal('opcua'),
    /** opc.tcp://host:port/path, or "demo" for the built-in plant. */
    endpoint: z.string().min(1),
    securityMode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
    securityPolicy: z.enum(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']).default('None'),
    /** Anonymous unless a user is given. The password is sealed ("aurum secret seal"), never plain text. */
    user: z
      .object({ username: z.string().min(1), passwordSecret: z.string().min(1) })
      .strict()
      .optional(),
    publishingIntervalMs: z.number().int().min(10).max(60_000).default(250),
    /** Default sampling interval for monitored items without their own periodMs. */
    samplingIntervalMs: z.number().int().min(0).max(60_000).default(250),
    queueSize: z.number().int().min(1).max(1000).default(10),
    keepAliveMs: z.number().int().min(500).max(60_000).default(5000),
    /** Deadband of every monitored item of this connection whose tag has no `options.deadband`. */
    deadband: opcuaDeadbandSchema.optional(),
    reconnect: reconnectSchema,
  })
  .strict();

export type OpcuaConnectionConfig = z.output<typeof opcuaConnectionSchema>;

const DEADBAND_FORM = '"none" or { type: absolute | percent, value: <number above 0> }';

/** Every problem of an OPC UA tag's options, each at its path under `options`, in a sentence. */
export function tagOptionProblems(options: Record<string, unknown>): { path: string[]; message: string }[] {
  const parsed = opcuaTagOptionsSchema.safeParse(options);
  if (parsed.success) return [];
  return parsed.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((k) => ({
        path: [k],
        message: `unknown option "${k}": an OPC UA tag takes only "deadband" (${DEADBAND_FORM})`,
      }));
    const at = issue.path.map(String);
    const value = at.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), options);
    if (at[0] === 'deadband' && at[1] === 'value' && typeof value === 'number')
      return [
        {
          path: at,
          message: `the deadband value ${value} is not allowed: ${issue.message === 'a percent deadband is at most 100' ? issue.message : 'it must be above 0'}`,
        },
      ];
    return [{ path: ['deadband'], message: `deadband must be ${DEADBAND_FORM}, but it is ${JSON.stringify(options.deadband)}` }];
  });
}

const ENDPOINT = /^opc\.tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?(\/[^\s]*)?$/;

/** Why an endpoint URL is refused, or null: opc.tcp://host[:port][/path], or "demo". */
export function endpointProblem(endpoint: string): string | null {
  if (endpoint === 'demo') return null;
  if (!endpoint.startsWith('opc.tcp://')) {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(endpoint)?.[1];
    return scheme
      ? `"${endpoint}" uses ${scheme}://; an OPC UA endpoint is opc.tcp://host[:port][/path] (or "demo")`
      : `"${endpoint}" is not an OPC UA endpoint URL: write opc.tcp://${endpoint.replace(/^\/+/, '')} (opc.tcp://host[:port][/path], or "demo")`;
  }
  const m = ENDPOINT.exec(endpoint);
  if (!m) return `"${endpoint}" is not an OPC UA endpoint URL: expected opc.tcp://host[:port][/path] with a host name or IP address`;
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return `"${endpoint}": the port ${m[2]} is not 1 to 65535`;
  return null;
}

/** Why a security mode and policy do not go together, or null. */
export function securityProblem(
  mode: OpcuaConnectionConfig['securityMode'],
  policy: OpcuaConnectionConfig['securityPolicy'],
): string | null {
  if (mode === 'None' && policy !== 'None')
    return `securityMode None sends everything in clear and takes securityPolicy None, not ${policy} (or set securityMode Sign or SignAndEncrypt)`;
  if (mode !== 'None' && policy === 'None')
    return `securityMode ${mode} needs a securityPolicy that signs: Basic256Sha256, Aes128_Sha256_RsaOaep or Aes256_Sha256_RsaPss`;
  return null;
}

/**
 * The OPC UA rules the site-file validator (native/site/) applies to each OPC UA connection and the
 * tags that use it, so check-config refuses what this driver would fail on at run time. The driver
 * parses NodeIds and options with the same functions, so what passes here runs there.
 */
export const opcuaSiteRules: ConnectionRules<OpcuaConnectionConfig> = (conn, connPath, tags, ctx) => {
  const endpoint = endpointProblem(conn.endpoint);
  if (endpoint) ctx.report([...connPath, 'endpoint'], endpoint);
  const security = securityProblem(conn.securityMode, conn.securityPolicy);
  if (security) ctx.report([...connPath, conn.securityMode === 'None' ? 'securityPolicy' : 'securityMode'], security);
  if (conn.user && !isSealed(conn.user.passwordSecret))
    ctx.report(
      [...connPath, 'user', 'passwordSecret'],
      'is not a sealed secret: seal the password with "aurum secret seal" and put the enc:v1:… text here; a plain-text password never stands in a site file',
    );
  for (const tag of tags) {
    const parsed = parseNodeId(tag.address);
    if (!parsed.ok) ctx.report([...tag.path, 'address'], `${tag.name}: ${parsed.message}`);
    for (const problem of tagOptionProblems(tag.options))
      ctx.report([...tag.path, 'options', ...problem.path], `${tag.name}: ${problem.message}`);
  }
};
