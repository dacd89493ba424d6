import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NodeSession, OpenSessionOptions } from '../host/open-session.js';
import {
  createCleanup,
  hasOpenssl,
  makeCertificate,
  openTestSession,
  scratchDirectory,
  startRecordingServer,
  within,
  type Certificate,
  type RecordingServer,
} from './hostile-servers.test-helpers.js';

// faults.md E30 on the real Node adapter: a self-signed, an expired and a wrong-host certificate
// are refused by default with a final TlsCertificate; the opt-out is explicit and per session.

type Kind = 'selfSigned' | 'expired' | 'wrongHost';

describe.skipIf(!hasOpenssl)('E30: TLS certificates', () => {
  const shared = createCleanup();
  const cleanup = createCleanup();
  let certificates: Record<Kind, Certificate>;
  let servers: Record<Kind, RecordingServer>;

  beforeAll(async () => {
    const directory = await scratchDirectory(shared, 'bgsession-faults-tls-');
    certificates = {
      selfSigned: await makeCertificate(directory, 'self-signed', 'IP:127.0.0.1', 2),
      expired: await makeCertificate(directory, 'expired', 'IP:127.0.0.1', -1),
      wrongHost: await makeCertificate(directory, 'wrong-host', 'DNS:other.example', 2),
    };
    const answer = (_request: unknown, response: ServerResponse): void => void response.writeHead(200, { 'content-length': '6' }).end('secure');
    servers = {
      selfSigned: await startRecordingServer(shared, answer, certificates.selfSigned),
      expired: await startRecordingServer(shared, answer, certificates.expired),
      wrongHost: await startRecordingServer(shared, answer, certificates.wrongHost),
    };
  });
  afterAll(() => shared.run());
  afterEach(() => cleanup.run());

  async function open(options: Partial<OpenSessionOptions> = {}): Promise<NodeSession> {
    return openTestSession(cleanup, await scratchDirectory(cleanup), options);
  }

  async function fetchFrom(session: NodeSession, kind: Kind) {
    const task = await session.data({ url: `${servers[kind].origin}/${kind}` });
    return within(task.outcome(), 5_000, `the task to the ${kind} server`);
  }

  const kinds: Kind[] = ['selfSigned', 'expired', 'wrongHost'];

  it.each(kinds)('%s: refused by default with a final TlsCertificate; no request is sent', async (kind) => {
    const before = servers[kind].requests.length;
    const outcome = await fetchFrom(await open(), kind);
    expect(outcome.phase).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'TlsCertificate', retryable: false });
    expect(servers[kind].requests).toHaveLength(before);
  });

  it('trusting a certificate through `ca` accepts it, but never an expired or wrong-host one', async () => {
    const results: Record<string, string> = {};
    for (const kind of kinds) {
      const outcome = await fetchFrom(await open({ transport: { ca: certificates[kind].cert } }), kind);
      results[kind] = outcome.error?.code ?? outcome.phase;
    }
    expect(results).toEqual({ selfSigned: 'succeeded', expired: 'TlsCertificate', wrongHost: 'TlsCertificate' });
  });

  it('the opt-out accepts all three, and only in the session that asked for it', async () => {
    const optedOut = await open({ transport: { rejectUnauthorized: false } });
    const strict = await open();
    for (const kind of kinds) {
      expect((await fetchFrom(optedOut, kind)).phase).toBe('succeeded');
      expect((await fetchFrom(strict, kind)).error?.code).toBe('TlsCertificate');
    }
  });
});
