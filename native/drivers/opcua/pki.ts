// The console's OPC UA client PKI: one folder (data dir/pki/opcua-client) with the console's own
// application certificate and the trusted and rejected server certificates. A server whose
// certificate is not trusted is refused (the connection stays in error with the reason) and its
// certificate lands in "rejected", where an engineer can review and trust it.
//
// The console's own certificate carries the site's identity (never node-opcua's default subject):
// CN "Aurum Console <site>", O = site.organization (the site name when not set), the application URI
// (site.applicationUri, or urn:<host>:aurum-console:<site>) in subjectAltName. It is made before the
// first connection and made again, with the same key pair, when that identity changes.
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';

export interface CertificateEntry {
  status: 'trusted' | 'rejected';
  /** SHA-1 thumbprint, hex, lower case (as OPC UA tools show it). */
  thumbprint: string;
  subject: string;
  validTo: string;
  file: string;
  /** The connections whose server presented this certificate since the console started. */
  connections: string[];
}

/** Who the console says it is, from the site file. */
export interface SiteIdentity {
  name: string;
  organization?: string;
  applicationUri?: string;
}

/** The console's application identity as the OPC UA client presents it. */
export interface ClientIdentity {
  applicationName: string;
  applicationUri: string;
  certificateFile: string;
  privateKeyFile: string;
  /** SHA-1 thumbprint of the certificate, colon-separated lower-case hex (as servers list it). */
  thumbprint: string;
  subject: string;
}

const managers = new Map<string, Promise<OPCUACertificateManager>>();
/** Per PKI folder: thumbprint of a server certificate → the connections that were shown it. */
const seenBy = new Map<string, Map<string, Set<string>>>();
/** Identity creation is serialised per PKI folder: connections starting together share one certificate. */
const identities = new Map<string, Promise<ClientIdentity>>();

const pkiRoot = (dataDir: string) => path.join(dataDir, 'pki', 'opcua-client');

type Certificates = Parameters<OPCUACertificateManager['trustCertificate']>[0];

/**
 * node-opcua's manager with one rule added: a certificate leaves the trusted list only by an
 * engineer's hand. Its check of a server certificate verifies first and files the verdict after
 * (moving the certificate to "rejected"); an engineer's trust landing between the two was undone by
 * the verdict of the attempt that began before it, and the connection stayed refused with the
 * certificate back under "rejected". Trust and reject are serialised here, and a reject of a
 * certificate that is in the trusted list by then is dropped.
 */
class ConsoleCertificateManager extends OPCUACertificateManager {
  private filing: Promise<unknown> = Promise.resolve();

  private serial(action: () => Promise<void>): Promise<void> {
    const next = this.filing.then(action, action);
    this.filing = next.catch(() => undefined);
    return next;
  }

  override trustCertificate(certificate: Certificates): Promise<void> {
    return this.serial(() => super.trustCertificate(certificate));
  }

  override rejectCertificate(certificate: Certificates): Promise<void> {
    return this.serial(async () => {
      if ((await this.isCertificateTrusted(certificate)) === 'Good') return;
      await super.rejectCertificate(certificate);
    });
  }

  /** An engineer's revoke: the one way a certificate leaves the trusted list. */
  revoke(certificate: Certificates): Promise<void> {
    return this.serial(() => super.rejectCertificate(certificate));
  }
}

/** One initialised manager per PKI folder, shared by every connection of the console. */
export function clientPki(dataDir: string): Promise<OPCUACertificateManager> {
  const root = pkiRoot(dataDir);
  let m = managers.get(root);
  if (!m) {
    const cm = new ConsoleCertificateManager({ rootFolder: root, automaticallyAcceptUnknownCertificate: false });
    m = cm.initialize().then(() => cm);
    managers.set(root, m);
  }
  return m;
}

/** "ab12…" → "ab:12:…": how OPC UA servers and their admin tools list thumbprints. */
export const colonHex = (hex: string) => hex.toLowerCase().match(/../g)?.join(':') ?? hex;

/** SHA-1 thumbprint (plain lower-case hex) of the first certificate of a DER chain, or null. */
export function thumbprintOf(der: Buffer): string | null {
  try {
    return new X509Certificate(firstDer(der)).fingerprint.replaceAll(':', '').toLowerCase();
  } catch {
    return null;
  }
}

/** The first certificate of concatenated DER certificates (a server may send its chain). */
function firstDer(der: Buffer): Buffer {
  // SEQUENCE, long-form length: 0x30 0x82 <len16> covers every RSA certificate OPC UA uses.
  if (der.length > 4 && der[0] === 0x30 && der[1] === 0x82) return der.subarray(0, 4 + der.readUInt16BE(2));
  return der;
}

/** Remember that `connection`'s server presented this certificate (for the certificate list). */
export function noteServerCertificate(cm: OPCUACertificateManager, der: Buffer, connection: string): string | null {
  const thumbprint = thumbprintOf(der);
  if (!thumbprint) return null;
  const byThumb = seenBy.get(cm.rootDir) ?? new Map<string, Set<string>>();
  seenBy.set(cm.rootDir, byThumb);
  byThumb.set(thumbprint, (byThumb.get(thumbprint) ?? new Set()).add(connection));
  return thumbprint;
}

/**
 * The shared manager as one connection sees it: every server certificate it is asked to check is
 * remembered for that connection, so the certificate list can say whose it is and the driver can
 * name the thumbprint it refused. Everything else goes to the shared manager itself (it keeps
 * private state, so methods run with it as `this`).
 */
export function pkiFor(cm: OPCUACertificateManager, connection: string, onChecked: (thumbprint: string) => void): OPCUACertificateManager {
  return new Proxy(cm, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'checkCertificate' && typeof value === 'function')
        return (chain: Buffer, ...rest: unknown[]) => {
          const thumbprint = noteServerCertificate(target, chain, connection);
          if (thumbprint) onChecked(thumbprint);
          return (value as (...a: unknown[]) => unknown).call(target, chain, ...rest);
        };
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(target, prop, value) {
      return Reflect.set(target, prop, value, target);
    },
  });
}

/** The identity the site asks for. */
function wantedIdentity(site: SiteIdentity): { applicationName: string; applicationUri: string; commonName: string; organization: string } {
  const applicationName = `Aurum Console ${site.name}`;
  return {
    applicationName,
    applicationUri: site.applicationUri ?? `urn:${hostname()}:aurum-console:${site.name}`,
    commonName: applicationName,
    organization: site.organization ?? site.name,
  };
}

function matches(cert: X509Certificate, want: ReturnType<typeof wantedIdentity>): boolean {
  const subject = cert.subject.split('\n');
  return (
    subject.includes(`CN=${want.commonName}`) &&
    subject.includes(`O=${want.organization}`) &&
    (cert.subjectAltName ?? '').split(', ').includes(`URI:${want.applicationUri}`)
  );
}

/**
 * The console's application certificate for this site, made (or made again) when missing or when
 * the site's name, organisation or application URI no longer match it.
 */
export function clientIdentity(dataDir: string, site: SiteIdentity): Promise<ClientIdentity> {
  const root = pkiRoot(dataDir);
  const previous = identities.get(root) ?? Promise.resolve(null);
  const next = previous
    .catch(() => null)
    .then(async () => {
      const cm = await clientPki(dataDir);
      const want = wantedIdentity(site);
      const certificateFile = path.join(cm.rootDir, 'own', 'certs', 'client_certificate.pem');
      const current = existsSync(certificateFile) ? readCertificate(certificateFile) : null;
      if (!current || !matches(current, want)) {
        rmSync(certificateFile, { force: true });
        await cm.createSelfSignedCertificate({
          applicationUri: want.applicationUri,
          dns: [hostname()],
          outputFile: certificateFile,
          subject: { commonName: want.commonName, organization: want.organization },
          startDate: new Date(),
          validity: 365 * 10,
        });
      }
      const cert = readCertificate(certificateFile);
      if (!cert) throw new Error(`cannot read the console's OPC UA certificate ${certificateFile}`);
      return {
        applicationName: want.applicationName,
        applicationUri: want.applicationUri,
        certificateFile,
        privateKeyFile: cm.privateKey,
        thumbprint: cert.fingerprint.toLowerCase(),
        subject: cert.subject.replaceAll('\n', ', '),
      };
    });
  identities.set(root, next);
  return next;
}

function readCertificate(file: string): X509Certificate | null {
  try {
    return new X509Certificate(readFileSync(file));
  } catch {
    return null;
  }
}

function entriesIn(cm: OPCUACertificateManager, folder: string, status: CertificateEntry['status']): CertificateEntry[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const byThumb = seenBy.get(cm.rootDir);
  return names
    .filter((n) => /\.(pem|der)$/i.test(n))
    .flatMap((n) => {
      const file = path.join(folder, n);
      const cert = readCertificate(file);
      if (!cert) return [];
      const thumbprint = cert.fingerprint.replaceAll(':', '').toLowerCase();
      return [
        {
          status,
          thumbprint,
          subject: cert.subject.replaceAll('\n', ', '),
          validTo: new Date(cert.validTo).toISOString(),
          file,
          connections: [...(byThumb?.get(thumbprint) ?? [])].sort(),
        },
      ];
    });
}

export function listCertificates(cm: OPCUACertificateManager): CertificateEntry[] {
  return [...entriesIn(cm, cm.rejectedFolder, 'rejected'), ...entriesIn(cm, cm.trustedFolder, 'trusted')];
}

/**
 * Move a server certificate to the trusted list (`trusted`) or back to the rejected one (`rejected`:
 * the engineer revokes a trust). The file of the list it leaves is removed.
 */
export async function fileCertificate(
  cm: OPCUACertificateManager,
  thumbprint: string,
  status: CertificateEntry['status'],
): Promise<CertificateEntry> {
  const entry = listCertificates(cm).find((e) => e.thumbprint === thumbprint.toLowerCase().replaceAll(':', ''));
  if (!entry) throw new Error(`no certificate with thumbprint ${thumbprint}`);
  if (entry.status === status) return entry;
  const cert = readCertificate(entry.file);
  if (!cert) throw new Error(`cannot read ${entry.file}`);
  if (status === 'trusted') await cm.trustCertificate(cert.raw);
  else if (cm instanceof ConsoleCertificateManager) await cm.revoke(cert.raw);
  else await cm.rejectCertificate(cert.raw);
  rmSync(entry.file, { force: true });
  return { ...entry, status };
}
