import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectRejection } from '@bgsession/testing';
import { attemptRequest, readAll, startConnectProxy, withProxyEnvironment } from './test-servers.test-helpers.js';
import { createUndiciTransport, type UndiciTransportOptions } from './undici-transport.js';

// Certificates are made at test time with the openssl command line; without it these tests are
// skipped (reported as skipped, not passed).
const hasOpenssl = spawnSync('openssl', ['version'], { timeout: 5_000 }).status === 0;

interface Certificate {
  readonly key: string;
  readonly cert: string;
}

let directory = '';

interface CertificateOptions {
  /** The certificate that signs this one (made earlier by name); self-signed without. */
  readonly issuer?: string;
  readonly digest?: 'sha256' | 'sha1';
  readonly basicConstraints?: string;
}

/**
 * A certificate for `subjectAltName`, valid for `days` (negative: expired): self-signed (its own
 * CA) unless an issuer is named.
 */
function makeCertificate(name: string, subjectAltName: string, days: number, options: CertificateOptions = {}): Certificate {
  const key = join(directory, `${name}.key`);
  const request = join(directory, `${name}.csr`);
  const cert = join(directory, `${name}.pem`);
  const extensions = join(directory, `${name}.ext`);
  writeFileSync(extensions, `subjectAltName=${subjectAltName}\nbasicConstraints=${options.basicConstraints ?? 'critical,CA:TRUE'}\n`);
  const run = (args: string[]): void => void execFileSync('openssl', args, { timeout: 10_000, stdio: 'ignore' });
  run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', `/CN=bgsession-test-${name}`, '-out', request]);
  const issuer = options.issuer;
  const signing = issuer === undefined ? ['-signkey', key] : ['-CA', join(directory, `${issuer}.pem`), '-CAkey', join(directory, `${issuer}.key`), '-CAcreateserial'];
  run(['x509', '-req', '-in', request, ...signing, `-${options.digest ?? 'sha256'}`, '-days', String(days), '-extfile', extensions, '-out', cert]);
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

type CertificateName = 'good' | 'expired' | 'wrongHost' | 'root' | 'weakDigest' | 'rootNoIntermediates' | 'tooDeep';
let certificates: Readonly<Record<CertificateName, Certificate>> | null = null;

function certificate(name: CertificateName): Certificate {
  if (certificates === null) throw new Error('The certificates were not made.');
  return certificates[name];
}
const closers: (() => Promise<void>)[] = [];

beforeAll(() => {
  if (!hasOpenssl) return;
  directory = mkdtempSync(join(tmpdir(), 'bgsession-tls-'));
  const rootNoIntermediates = makeCertificate('root-pathlen', 'DNS:root.example', 2, { basicConstraints: 'critical,CA:TRUE,pathlen:0' });
  const intermediate = makeCertificate('intermediate', 'DNS:intermediate.example', 2, { issuer: 'root-pathlen' });
  certificates = {
    good: makeCertificate('good', 'IP:127.0.0.1', 2),
    expired: makeCertificate('expired', 'IP:127.0.0.1', -1),
    wrongHost: makeCertificate('wrong-host', 'DNS:other.example', 2),
    root: makeCertificate('root', 'DNS:root.example', 2),
    // OpenSSL's CA_MD_TOO_WEAK, which Node reports as UNSPECIFIED.
    weakDigest: makeCertificate('weak-digest', 'IP:127.0.0.1', 2, { issuer: 'root', digest: 'sha1', basicConstraints: 'CA:FALSE' }),
    rootNoIntermediates,
    // Leaf and intermediate, under a root that allows no intermediate: PATH_LENGTH_EXCEEDED.
    tooDeep: chain(makeCertificate('deep', 'IP:127.0.0.1', 2, { issuer: 'intermediate', basicConstraints: 'CA:FALSE' }), intermediate),
  };
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** `leaf` served with `intermediate` after it. */
function chain(leaf: Certificate, intermediate: Certificate): Certificate {
  return { key: leaf.key, cert: `${leaf.cert}${intermediate.cert}` };
}

async function httpsServer(certificate: Certificate): Promise<string> {
  // Security level 0 lets the server load a certificate the client is to refuse (a SHA-1 signature).
  const server = createServer({ key: certificate.key, cert: certificate.cert, ciphers: 'DEFAULT@SECLEVEL=0' }, (_request, response) => {
    response.writeHead(200, { 'content-length': '6' }).end('secure');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function start(url: string, options: UndiciTransportOptions = {}): ReturnType<ReturnType<typeof createUndiciTransport>['start']> {
  const transport = createUndiciTransport({ proxyFromEnvironment: false, ...options });
  closers.push(() => transport.close());
  return transport.start(attemptRequest(url));
}

describe.skipIf(!hasOpenssl)('undici transport: TLS (faults.md E30)', () => {
  it('rejects a self-signed certificate by default with a final TlsCertificate', async () => {
    const error = await expectRejection(start(await httpsServer(certificate('good'))), 'TlsCertificate');
    expect(error.retryable).toBe(false);
    expect(error.bodyMayHaveBeenSent).toBe(false);
  });

  it('accepts it when the session opts out with rejectUnauthorized: false', async () => {
    const response = await start(await httpsServer(certificate('good')), { rejectUnauthorized: false });
    expect(new TextDecoder().decode(await readAll(response.body))).toBe('secure');
  });

  it('accepts it when it is trusted through `ca`', async () => {
    const response = await start(await httpsServer(certificate('good')), { ca: certificate('good').cert });
    expect(response.head.status).toBe(200);
    await readAll(response.body);
  });

  it('rejects an expired certificate, even a trusted one', async () => {
    const error = await expectRejection(start(await httpsServer(certificate('expired')), { ca: [certificate('expired').cert] }), 'TlsCertificate');
    expect(error.message).toMatch(/expired/i);
  });

  it('rejects a certificate for another host, even a trusted one', async () => {
    const error = await expectRejection(start(await httpsServer(certificate('wrongHost')), { ca: certificate('wrongHost').cert }), 'TlsCertificate');
    expect(error.message).toMatch(/altnames|host/i);
  });

  it('rejects with a final TlsCertificate a trusted chain OpenSSL refuses for a reason Node has no code for (a SHA-1 signature)', async () => {
    const error = await expectRejection(start(await httpsServer(certificate('weakDigest')), { ca: certificate('root').cert }), 'TlsCertificate');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/too weak/i);
  });

  it('rejects with a final TlsCertificate a chain longer than its root allows', async () => {
    const error = await expectRejection(start(await httpsServer(certificate('tooDeep')), { ca: certificate('rootNoIntermediates').cert }), 'TlsCertificate');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/path length/i);
  });

  it('applies the same rules to a server reached through an HTTPS_PROXY tunnel', async () => {
    const url = await httpsServer(certificate('good'));
    const proxy = await startConnectProxy();
    closers.push(() => proxy.close());
    const through = (options: UndiciTransportOptions): ReturnType<typeof start> => {
      const transport = withProxyEnvironment({ HTTPS_PROXY: proxy.origin }, () => createUndiciTransport(options));
      closers.push(() => transport.close());
      return transport.start(attemptRequest(url));
    };
    await expectRejection(through({}), 'TlsCertificate');
    const response = await through({ rejectUnauthorized: false });
    expect(response.head.status).toBe(200);
    await readAll(response.body);
    expect(proxy.tunnels).toHaveLength(2);
  });
});
