import { z } from 'zod';
import type { HttpForms } from './http.js';
import type { BrowseNode, TagValue } from './types.js';

export const connectionRequests = {
  /** OPC UA tag picker: the children of a node (the Objects folder when nodeId is null). */
  'connections.browse': z.object({ connection: z.string().min(1), nodeId: z.string().min(1).nullable().default(null) }).strict(),
  /** A live test read of an address before it becomes a tag (Modbus: "40001" with options.type, wordOrder). */
  'connections.testRead': z
    .object({ connection: z.string().min(1), address: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) })
    .strict(),
  /** OPC UA server certificates seen by the console: rejected ones wait for an engineer to trust them. */
  'connections.certificates': z.object({}).strict().default({}),
  'connections.trustCertificate': z.object({ thumbprint: z.string().regex(/^[0-9a-fA-F:]{40,59}$/, 'a SHA-1 thumbprint in hex') }).strict(),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const connectionHttp = {
  // Engineering tools of the desktop's configuration screens, offered to scripts through /api/call only.
  'connections.browse': 'call',
  'connections.testRead': 'call',
  'connections.certificates': 'call',
  'connections.trustCertificate': 'call',
} as const satisfies HttpForms<typeof connectionRequests>;

export interface CertificateInfo {
  status: 'trusted' | 'rejected';
  thumbprint: string;
  subject: string;
  validTo: string;
  /** The connections whose server presented this certificate since the console started (empty if none yet). */
  connections: string[];
}

export interface ConnectionResults {
  'connections.browse': BrowseNode[];
  'connections.testRead': { address: string; value: TagValue };
  'connections.certificates': CertificateInfo[];
  'connections.trustCertificate': CertificateInfo;
}
