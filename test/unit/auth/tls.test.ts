import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLocalCertificate, TLS_CERT_FILE, TLS_DIR, TLS_KEY_FILE } from '../../../local/tls.js';
import { aStateDir, removeStateDirs } from './given.js';

afterAll(removeStateDirs);

describe('given an empty state directory', () => {
  it('when the certificate is ensured, then it is self-signed for localhost, 127.0.0.1 and ::1 for a year', async () => {
    const stateDir = await aStateDir();
    const { key, cert, caPath } = await ensureLocalCertificate(stateDir);
    const x509 = new X509Certificate(cert);

    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkIP('::1')).toBeDefined();
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.verify(x509.publicKey)).toBe(true);
    const lifetimeDays = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
    expect(Math.round(lifetimeDays)).toBe(365);
    expect(key).toContain('PRIVATE KEY');
    expect(caPath).toBe(join(stateDir, TLS_DIR, TLS_CERT_FILE));
    expect(await readFile(caPath, 'utf8')).toBe(cert);
  });

  it('when the certificate is ensured twice, then the second call reuses the first', async () => {
    const stateDir = await aStateDir();
    const first = await ensureLocalCertificate(stateDir);
    const second = await ensureLocalCertificate(stateDir);
    expect(second).toEqual(first);
  });
});

describe('given an expired certificate in the state directory', () => {
  it('when the certificate is ensured, then a new valid one replaces it', async () => {
    const stateDir = await aStateDir();
    const expired = await generate([{ name: 'commonName', value: 'localhost' }], {
      notBeforeDate: new Date(Date.now() - 3 * 86_400_000),
      notAfterDate: new Date(Date.now() - 86_400_000),
      algorithm: 'sha256',
    });
    await mkdir(join(stateDir, TLS_DIR), { recursive: true });
    await writeFile(join(stateDir, TLS_DIR, TLS_KEY_FILE), expired.private);
    await writeFile(join(stateDir, TLS_DIR, TLS_CERT_FILE), expired.cert);

    const { cert } = await ensureLocalCertificate(stateDir);

    expect(cert).not.toBe(expired.cert);
    expect(Date.parse(new X509Certificate(cert).validTo)).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  });
});
