import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport, serveBytes } from '@bgsession/testing';
import { eventLog, recordingListener, runUntil, testContent } from './session-fixtures.test-helpers.js';

const content = testContent(64 * 1024);
const url = 'https://files.example/private.bin';
const token = 'Bearer s3cr3t-t0ken';

/** Opens offline, creates a download with an Authorization header, and kills the host before it runs. */
async function createdThenKilled() {
  const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' }), serveBytes(content, { etag: '"v1"' })]);
  const host = createMemoryHost({ transport, seed: 21 });
  host.connectivity.set({ online: false, expensive: false, constrained: false });
  const session = await host.open({ identifier: 'credentials' }, { listener: {} });
  await session.download({ url, headers: { Authorization: token } });
  await host.kill();
  host.connectivity.set({ online: true, expensive: false, constrained: false });
  return { host, transport };
}

describe('credentials (semantics section 7)', () => {
  it('#21 a sensitive header never reaches the store, and after a relaunch without it the request is not sent: the task waits with reason credentials', async () => {
    const { host, transport } = await createdThenKilled();
    const stored = [host.storeData.header, ...[...host.storeData.records.values()].flatMap((records) => [...records.values()])].join('\n');
    expect(stored).toContain('files.example');
    expect(stored).not.toContain('s3cr3t');
    const session = await host.open({ identifier: 'credentials' }, { listener: {} });
    await runUntil(host, () => session.tasks()[0]?.info().reason === 'credentials', 100);
    await host.clock.advanceAsync(60_000);
    expect(transport.requests).toHaveLength(0);
    // The task says which headers it waits for, so an app can tell what to give.
    expect(session.tasks()[0]!.info().credentialHeaders).toEqual(['authorization']);
    await session.close();
  });

  it('a callback that gives only some of the headers leaves the task waiting, and its info names every header it needs', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 22 });
    host.connectivity.set({ online: false, expensive: false, constrained: false });
    const first = await host.open({ identifier: 'credentials-some' }, { listener: {} });
    await first.download({ url, headers: { Authorization: token, Cookie: 'id=1', Accept: '*/*' } });
    await host.kill();
    host.connectivity.set({ online: true, expensive: false, constrained: false });
    const given: string[][] = [];
    const session = await host.open(
      { identifier: 'credentials-some' },
      { listener: {}, credentials: (task) => (given.push([...task.credentialHeaders]), { authorization: token }) },
    );
    await runUntil(host, () => session.tasks()[0]?.info().reason === 'credentials', 100);
    expect(session.tasks()[0]!.info().credentialHeaders).toEqual(['authorization', 'cookie']);
    expect(given[0]).toEqual(['authorization', 'cookie']);
    expect(transport.requests).toHaveLength(0);
    await session.close();
  });

  it('the credentials callback supplies the header again after a relaunch, and the download completes', async () => {
    const { host, transport } = await createdThenKilled();
    const log = eventLog();
    const asked: number[] = [];
    const session = await host.open(
      { identifier: 'credentials' },
      { listener: recordingListener(log), credentials: (task) => (asked.push(task.taskIdentifier), { authorization: token }) },
    );
    await runUntil(host, () => log.durable.length === 2, 100);
    expect(asked).toEqual([1]);
    expect(transport.requests[0]!.headers['authorization']).toBe(token);
    await session.close();
  });

  it('a header the configuration names sensitive only after the task was stored is still sent, and is asked of the credentials callback at the next relaunch (it was dropped in silence)', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"', hangAfter: 16 * 1024 }), serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 23 });
    host.connectivity.set({ online: false, expensive: false, constrained: false });
    const first = await host.open({ identifier: 'credentials-renamed' }, { listener: {} });
    await first.download({ url, headers: { 'X-Key': 'k3y' } });
    await host.kill();
    host.connectivity.set({ online: true, expensive: false, constrained: false });
    const configuration = { identifier: 'credentials-renamed', sensitiveHeaders: ['authorization', 'cookie', 'proxy-authorization', 'x-key'] };
    const second = await host.open(configuration, { listener: {} });
    await runUntil(host, () => transport.requests.length === 1, 100);
    expect(transport.requests[0]!.headers['x-key']).toBe('k3y');
    expect(second.tasks()[0]!.info().credentialHeaders).toEqual(['x-key']);
    await host.kill();
    const stored = [...host.storeData.records.values()].flatMap((records) => [...records.values()]).join('\n');
    expect(stored).not.toContain('k3y');
    const asked: string[] = [];
    const log = eventLog();
    const third = await host.open(configuration, { listener: recordingListener(log), credentials: (task) => (asked.push(task.credentialHeaders.join()), { 'x-key': 'k3y-again' }) });
    await runUntil(host, () => log.durable.length === 2, 100);
    expect(asked).toEqual(['x-key']);
    expect(transport.requests[1]!.headers['x-key']).toBe('k3y-again');
    await third.close();
  });

  it('a credentials callback that returns a promise (a token refresh) is waited for, asked once, and the download completes with what it gave', async () => {
    const { host, transport } = await createdThenKilled();
    const log = eventLog();
    let asked = 0;
    const session = await host.open(
      { identifier: 'credentials' },
      {
        listener: recordingListener(log),
        credentials: () => {
          asked += 1;
          return new Promise((resolve) => host.clock.setTimer(5_000, () => resolve({ authorization: 'Bearer refreshed' })));
        },
      },
    );
    await runUntil(host, () => log.durable.length === 2, 100);
    expect(asked).toBe(1);
    expect(transport.requests).toHaveLength(1);
    expect(transport.requests[0]!.headers['authorization']).toBe('Bearer refreshed');
    await session.close();
  });

  it('a credentials promise that gives only some of the headers leaves the task waiting, asked once (it asked again and again, starving the process)', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 24 });
    host.connectivity.set({ online: false, expensive: false, constrained: false });
    const first = await host.open({ identifier: 'credentials-partial-promise' }, { listener: {} });
    await first.download({ url, headers: { Authorization: token, Cookie: 'id=1' } });
    await host.kill();
    host.connectivity.set({ online: true, expensive: false, constrained: false });
    let asked = 0;
    const session = await host.open(
      { identifier: 'credentials-partial-promise' },
      { listener: {}, credentials: () => (asked < 5 ? (asked += 1, Promise.resolve({ authorization: token })) : Promise.reject(new Error('asked too often'))) },
    );
    await runUntil(host, () => session.tasks()[0]?.info().reason === 'credentials', 100);
    await host.clock.advanceAsync(60_000);
    expect(asked).toBe(1);
    expect(session.tasks()[0]!.info()).toMatchObject({ phase: 'scheduled', reason: 'credentials' });
    expect(transport.requests).toHaveLength(0);
    await session.close();
  });

  it('credentialsChanged() asks again for a task that waited for its credentials', async () => {
    const { host, transport } = await createdThenKilled();
    let available = false;
    const log = eventLog();
    const session = await host.open(
      { identifier: 'credentials' },
      { listener: recordingListener(log), credentials: () => (available ? { authorization: token } : null) },
    );
    await runUntil(host, () => session.tasks()[0]?.info().reason === 'credentials', 100);
    expect(transport.requests).toHaveLength(0);
    available = true;
    await session.credentialsChanged();
    await runUntil(host, () => log.durable.length === 2, 100);
    expect(transport.requests[0]!.headers['authorization']).toBe(token);
    await session.close();
  });
});
