import { describe, expect, it } from 'vitest';
import { faultsByAttempt } from '../servers/faults-by-attempt.js';
import { generatedContent } from '../servers/generated-content.js';
import type { ServerFault } from '../servers/server-fault.js';
import { backoffs, bytesServed, destinationOf, digest, download, faultWorld, L, N, origin, rangesTo, requestsTo, rewritesFromZero, runToEnd } from './a-fault-world.test-helpers.js';

// Faults A7-A9 on the simulator: bodies cut in every framing, integrity after a resume, and a
// redirect chain that changes between attempts.
const content = generatedContent({ seed: 71, length: L });
const whole = content.read(0, L);
const other = content.nextVersion();
const etag = `"${content.tag}"`;
const cut: ServerFault = { type: 'cut', afterBytes: N };

describe('A7 a connection closed mid-body', () => {
  it.each([
    ['with Content-Length short', faultsByAttempt({ 1: cut })],
    ['chunked without its terminator', faultsByAttempt({ 1: [{ type: 'framing', framing: 'chunked' }, cut] })],
  ] as const)('#7 %s: incomplete, resumed from N with Range, no byte fetched twice', async (_name, script) => {
    const fault = await faultWorld(21);
    fault.server.file('/a7.bin', { content, script });
    const task = await download(fault, '/a7.bin');
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a7.bin')))).toBe(digest(whole));
    const requests = requestsTo(fault.server, '/a7.bin');
    expect(requests.map((request) => [request.status, request.outcome])).toEqual([
      [200, 'truncated'],
      [206, 'complete'],
    ]);
    expect(requests[1]?.headers).toMatchObject({ range: `bytes=${N}-`, 'if-range': etag });
    expect(bytesServed(fault.server, '/a7.bin')).toBe(L);
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: null, attempts: { spent: 1 } });
  });

  // The simulator has no TLS record layer: an https connection the network drops mid-body is the
  // TCP close without close_notify, which the client must take for a cut, never for an end.
  it('#7 an https connection dropped mid-body (no close_notify): incomplete, resumed from N', async () => {
    const fault = await faultWorld(22);
    fault.server.file('/a7.bin', { content });
    fault.world.network.injectFault(new URL(origin).hostname, { type: 'drop', afterBytes: N });
    const task = await download(fault, '/a7.bin');
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a7.bin')))).toBe(digest(whole));
    expect(requestsTo(fault.server, '/a7.bin').map((request) => request.outcome)).toEqual(['dropped', 'complete']);
    expect(rangesTo(fault.server, '/a7.bin')).toEqual([null, `bytes=${N}-`]);
    expect(bytesServed(fault.server, '/a7.bin')).toBe(L);
  });
});

describe('A7 a body ended only by the close, with no length (RFC 9112 section 6.3)', () => {
  it.each([
    ['without integrity', undefined],
    ['with integrity that matches', digest(whole)],
  ] as const)('#6 is complete and fetched once: %s', async (_name, integrity) => {
    const fault = await faultWorld(23);
    fault.server.file('/a7c.bin', { content, framing: 'close' });
    const task = await download(fault, '/a7c.bin', integrity === undefined ? {} : { integrity });
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(ending.delivered).toEqual([['downloadDidFinish', null], ['taskDidComplete', null]]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a7c.bin')))).toBe(digest(whole));
    expect(rangesTo(fault.server, '/a7c.bin')).toEqual([null]);
  });

  it('#9 cut short, with integrity: IntegrityMismatch, never resumed, never delivered', async () => {
    const fault = await faultWorld(24);
    fault.server.file('/a7c.bin', { content, framing: 'close', script: faultsByAttempt({ 1: cut }) });
    const task = await download(fault, '/a7c.bin', { integrity: digest(whole) });
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(ending.delivered).toEqual([['taskDidComplete', 'IntegrityMismatch']]);
    // The client saw a complete body of N bytes: one request, and nothing at the destination.
    expect(requestsTo(fault.server, '/a7c.bin').map((request) => [request.headers['range'] ?? null, request.outcome])).toEqual([[null, 'truncated']]);
    expect(fault.world.disk.readFile(destinationOf('/a7c.bin'))).toBeNull();
    expect(ending.record).toMatchObject({ phase: 'failed', error: { code: 'IntegrityMismatch' } });
  });

  // A kill is not the close: the client knows the body was interrupted, and #7 holds as for any
  // other framing (the kept bytes are a prefix of the version the strong ETag names).
  it('#7 interrupted by a kill, not ended by the close: the relaunch resumes from the kept length with If-Range, and the file is right', async () => {
    const fault = await faultWorld(25);
    // 8 KiB/s: the kill at 2.5 s lands mid-body.
    fault.server.file('/a7c.bin', { content, framing: 'close', bytesPerSecond: 8 * 1024 });
    const task = await download(fault, '/a7c.bin');
    fault.world.schedule([{ type: 'kill', at: 2_500 }]);
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    const kept = fault.world.log.crashes[0]?.parts.get('app')?.get(task.taskIdentifier);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(L);
    expect(rangesTo(fault.server, '/a7c.bin')).toEqual([null, `bytes=${kept}-`]);
    expect(requestsTo(fault.server, '/a7c.bin')[1]?.headers['if-range']).toBe(etag);
    expect(digest(fault.world.disk.readFile(destinationOf('/a7c.bin')))).toBe(digest(whole));
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: null });
  });
});

describe('A8 integrity', () => {
  it('#6 a mismatch after a resumed download gets one free restart from 0, and the file is right', async () => {
    const fault = await faultWorld(31);
    // A stale node serves another version's bytes under the same ETag: only the hash can tell.
    fault.server.file('/a8.bin', { content, script: faultsByAttempt({ 1: [{ type: 'otherVersion', keepValidator: true }, cut] }) });
    const task = await download(fault, '/a8.bin', { integrity: digest(whole) });
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a8.bin')))).toBe(digest(whole));
    const requests = requestsTo(fault.server, '/a8.bin');
    expect(requests.map((request) => [request.status, request.headers['range'] ?? null])).toEqual([
      [200, null],
      [206, `bytes=${N}-`],
      [200, null],
    ]);
    // The cut's retry waited a backoff; the integrity restart is free and waits none.
    expect(backoffs(fault.world, task.taskIdentifier)).toBe(1);
    expect(rewritesFromZero(fault.world, task.taskIdentifier)).toBe(1);
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: 'IntegrityRestart', integrityRestartUsed: true, attempts: { spent: 1 } });
  });

  it('#9 a mismatch on a download fetched whole from 0 is IntegrityMismatch, one terminal event, the file never delivered', async () => {
    const fault = await faultWorld(32);
    fault.server.file('/a8.bin', { content });
    const task = await download(fault, '/a8.bin', { integrity: digest(other.read(0, L)) });
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(ending.delivered).toEqual([['taskDidComplete', 'IntegrityMismatch']]);
    expect(requestsTo(fault.server, '/a8.bin')).toHaveLength(1);
    expect(fault.world.disk.readFile(destinationOf('/a8.bin'))).toBeNull();
    expect(ending.record).toMatchObject({ phase: 'failed', error: { code: 'IntegrityMismatch' }, integrityRestartUsed: false });
  });

  it('#9 a mismatch after the free restart too is IntegrityMismatch: exactly one restart, the file never delivered', async () => {
    const fault = await faultWorld(33);
    fault.server.file('/a8.bin', { content, script: faultsByAttempt({ 1: cut }) });
    const task = await download(fault, '/a8.bin', { integrity: digest(other.read(0, L)) });
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(ending.delivered).toEqual([['taskDidComplete', 'IntegrityMismatch']]);
    expect(rangesTo(fault.server, '/a8.bin')).toEqual([null, `bytes=${N}-`, null]);
    expect(fault.world.disk.readFile(destinationOf('/a8.bin'))).toBeNull();
    expect(ending.record).toMatchObject({ phase: 'failed', error: { code: 'IntegrityMismatch' }, integrityRestartUsed: true });
  });
});

describe('A9 a redirect chain that changes between attempts (presigned links)', () => {
  // The checker follows redirect chains: a request reached by a redirect shares the validators of the URL that redirected.
  it('#8 the world finds no violation in a resume under a new presigned URL', async () => {
    const fault = await faultWorld(41);
    fault.server.redirect('/start', { location: `${origin}/signed.bin`, presigned: { expiresIn: 60 * 60 * 1000 } });
    fault.server.file('/signed.bin', { content, signed: true, script: faultsByAttempt({ 1: cut }) });
    const ending = await runToEnd(fault, await download(fault, '/a9.bin', { url: `${origin}/start` }));
    expect(ending.violations).toEqual([]);
  });

  it('#7 still resumes when the validator matches, with If-Range sent to the current URL', async () => {
    const fault = await faultWorld(41);
    fault.server.redirect('/start', { location: `${origin}/signed.bin`, presigned: { expiresIn: 60 * 60 * 1000 } });
    fault.server.file('/signed.bin', { content, signed: true, script: faultsByAttempt({ 1: cut }) });
    const task = await download(fault, '/a9.bin', { url: `${origin}/start` });
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a9.bin')))).toBe(digest(whole));
    // Each attempt follows the chain from the original URL and gets a new signature.
    expect(requestsTo(fault.server, '/start')).toHaveLength(2);
    const signed = requestsTo(fault.server, '/signed.bin');
    expect(signed.map((request) => [new URL(request.url).searchParams.get('sig'), request.status])).toEqual([
      ['1', 200],
      ['2', 206],
    ]);
    expect(signed[0]?.headers['range']).toBeUndefined();
    expect(signed[1]?.headers).toMatchObject({ range: `bytes=${N}-`, 'if-range': etag });
    expect(bytesServed(fault.server, '/signed.bin')).toBe(L);
  });

  it('#7 after a kill too: the relaunch gets a fresh link and resumes from the kept length at death', async () => {
    const fault = await faultWorld(42);
    fault.server.redirect('/start', { location: `${origin}/signed.bin`, presigned: { expiresIn: 60 * 60 * 1000 } });
    fault.server.file('/signed.bin', { content, signed: true, bytesPerSecond: 8 * 1024 });
    const task = await download(fault, '/a9.bin', { url: `${origin}/start` });
    fault.world.schedule([{ type: 'kill', at: 2_500 }]);
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    const kept = fault.world.log.crashes[0]?.parts.get('app')?.get(task.taskIdentifier);
    expect(kept).toBeGreaterThan(0);
    const signed = requestsTo(fault.server, '/signed.bin');
    expect(signed.map((request) => new URL(request.url).searchParams.get('sig'))).toEqual(['1', '2']);
    expect(signed[1]?.headers).toMatchObject({ range: `bytes=${kept}-`, 'if-range': etag });
    expect(digest(fault.world.disk.readFile(destinationOf('/a9.bin')))).toBe(digest(whole));
    expect(bytesServed(fault.server, '/signed.bin')).toBe(L);
  });
});
