/**
 * A self-signed TLS certificate for the local stack's HTTPS/WSS endpoints (`localhost`,
 * `127.0.0.1`, `::1`), generated once into the state directory and reused until it is about to
 * expire. Clients trust it through `caPath` (e.g. `NODE_EXTRA_CA_CERTS=<caPath>`).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LocalCertificate {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate. */
  readonly cert: string;
  /** Path of the PEM certificate to trust (the certificate is its own issuer). */
  readonly caPath: string;
}

export const TLS_DIR = 'tls';
export const TLS_KEY_FILE = 'localhost-key.pem';
export const TLS_CERT_FILE = 'localhost-cert.pem';
const VALIDITY_MS = 365 * 24 * 60 * 60 * 1000;
/** Regenerate a little before expiry so a running stack does not cross the date. */
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;
const DNS_NAMES = ['localhost'] as const;
const IP_ADDRESSES = ['127.0.0.1', '::1'] as const;

const readIfPresent = async (path: string): Promise<string | undefined> => {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** The stored pair is reusable when it parses, belongs together, covers our names and is not near expiry. */
const isUsable = (key: string, cert: string, now: number): boolean => {
  try {
    const x509 = new X509Certificate(cert);
    const san = x509.subjectAltName ?? '';
    return (
      Date.parse(x509.validTo) - RENEW_BEFORE_MS > now &&
      Date.parse(x509.validFrom) <= now &&
      x509.checkPrivateKey(createPrivateKey(key)) &&
      DNS_NAMES.every((name) => san.includes(`DNS:${name}`)) &&
      IP_ADDRESSES.every((ip) => x509.checkIP(ip) !== undefined)
    );
  } catch {
    return false;
  }
};

const writeAtomically = async (path: string, content: string, mode: number): Promise<void> => {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, content, { mode });
  await rename(temp, path);
};

export const ensureLocalCertificate = async (stateDir: string): Promise<LocalCertificate> => {
  const dir = join(stateDir, TLS_DIR);
  const keyPath = join(dir, TLS_KEY_FILE);
  const certPath = join(dir, TLS_CERT_FILE);
  const now = Date.now();
  const [storedKey, storedCert] = await Promise.all([readIfPresent(keyPath), readIfPresent(certPath)]);
  if (storedKey !== undefined && storedCert !== undefined && isUsable(storedKey, storedCert, now)) {
    return { key: storedKey, cert: storedCert, caPath: certPath };
  }

  // Loaded only to make a certificate (first start, or near expiry): selfsigned brings node-forge,
  // about 0.4 s of start-up CPU that a start with a usable certificate does not need.
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(now - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + VALIDITY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...DNS_NAMES.map((value) => ({ type: 2 as const, value })),
          ...IP_ADDRESSES.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  await mkdir(dir, { recursive: true });
  await writeAtomically(keyPath, pems.private, 0o600);
  await writeAtomically(certPath, pems.cert, 0o644);
  return { key: pems.private, cert: pems.cert, caPath: certPath };
};
