// The console's OPC UA client PKI: one folder (data dir/pki/opcua-client) with trusted and rejected
// certificates. A server whose certificate is not trusted is refused (the connection stays in error
// with the reason) and its certificate lands in "rejected", where an engineer can review and trust it.
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';

export interface CertificateEntry {
  status: 'trusted' | 'rejected';
  /** SHA-1 thumbprint, hex, lower case (as OPC UA tools show it). */
  thumbprint: string;
  subject: string;
  validTo: string;
  file: string;
}

const managers = new Map<string, Promise<OPCUACertificateManager>>();

/** One initialised manager per PKI folder, shared by every connection of the console. */
export function clientPki(dataDir: string): Promise<OPCUACertificateManager> {
  const root = path.join(dataDir, 'pki', 'opcua-client');
  let m = managers.get(root);
  if (!m) {
    const cm = new OPCUACertificateManager({ rootFolder: root, automaticallyAcceptUnknownCertificate: false });
    m = cm.initialize().then(() => cm);
    managers.set(root, m);
  }
  return m;
}

function readCertificate(file: string): X509Certificate | null {
  try {
    return new X509Certificate(readFileSync(file));
  } catch {
    return null;
  }
}

function entriesIn(folder: string, status: CertificateEntry['status']): CertificateEntry[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.(pem|der)$/i.test(n))
    .flatMap((n) => {
      const file = path.join(folder, n);
      const cert = readCertificate(file);
      if (!cert) return [];
      return [
        {
          status,
          thumbprint: cert.fingerprint.replaceAll(':', '').toLowerCase(),
          subject: cert.subject.replaceAll('\n', ', '),
          validTo: new Date(cert.validTo).toISOString(),
          file,
        },
      ];
    });
}

export function listCertificates(cm: OPCUACertificateManager): CertificateEntry[] {
  return [...entriesIn(cm.rejectedFolder, 'rejected'), ...entriesIn(cm.trustedFolder, 'trusted')];
}

/** Move a rejected server certificate to the trusted list. */
export async function trustCertificate(cm: OPCUACertificateManager, thumbprint: string): Promise<CertificateEntry> {
  const entry = listCertificates(cm).find((e) => e.thumbprint === thumbprint.toLowerCase().replaceAll(':', ''));
  if (!entry) throw new Error(`no certificate with thumbprint ${thumbprint}`);
  if (entry.status === 'trusted') return entry;
  const cert = readCertificate(entry.file);
  if (!cert) throw new Error(`cannot read ${entry.file}`);
  await cm.trustCertificate(cert.raw);
  rmSync(entry.file, { force: true });
  return { ...entry, status: 'trusted' };
}
