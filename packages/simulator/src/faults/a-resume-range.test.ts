import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultsByAttempt } from '../servers/faults-by-attempt.js';
import { formatHttpDate } from '../servers/http-date-format.js';
import { generatedContent } from '../servers/generated-content.js';
import { respond } from '../servers/respond.js';
import type { ServerFault } from '../servers/server-fault.js';
import type { RouteAnswer } from '../servers/route-script.js';
import { backoffs, bytesServed, destinationOf, digest, download, faultWorld, L, N, rangesTo, requestsTo, rewritesFromZero, runToEnd } from './a-fault-world.test-helpers.js';

// Faults A1-A3 on the simulator: the first attempt keeps N bytes (the server cuts its body, or the
// process is killed), then the server answers the Range request wrongly. The kept bytes must never
// be combined with what does not continue them, and the download must end right.
const content = generatedContent({ seed: 41, length: L });
const whole = content.read(0, L);
const etag = `"${content.tag}"`;

describe('A1 a server that ignores Range', () => {
  it('#6 answers 200 after N kept bytes: the file is rewritten from 0 once, no attempt spent, reason ServerIgnoredRange', async () => {
    const fault = await faultWorld(1);
    fault.server.file('/a1.bin', { content, script: faultsByAttempt({ 1: { type: 'cut', afterBytes: N }, 2: { type: 'ignoreRange' } }) });
    const task = await download(fault, '/a1.bin');
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(ending.delivered).toEqual([['downloadDidFinish', null], ['taskDidComplete', null]]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a1.bin')))).toBe(digest(whole));
    const requests = requestsTo(fault.server, '/a1.bin');
    expect(requests.map((request) => request.status)).toEqual([200, 200]);
    expect(requests[1]?.headers).toMatchObject({ range: `bytes=${N}-`, 'if-range': etag });
    // The 200's own body is written from byte 0: no third request, nothing fetched twice beyond the N kept.
    expect(bytesServed(fault.server, '/a1.bin')).toBe(N + L);
    expect(rewritesFromZero(fault.world, task.taskIdentifier)).toBe(1);
    expect(backoffs(fault.world, task.taskIdentifier)).toBe(1);
    // The cut spent one attempt; the restart from 0 spent none.
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: 'ServerIgnoredRange', attempts: { spent: 1 } });
    // The trace says why: the task's commits from the restart on carry its reason.
    const restarts = fault.world.trace.ofKind('commit').flatMap((commit) => commit.tasks.filter((committed) => committed.taskIdentifier === task.taskIdentifier).map((committed) => committed.restart));
    expect(restarts[0]).toBeNull();
    expect(restarts.at(-1)).toBe('ServerIgnoredRange');
    expect(fault.world.trace.format()).toContain('"restart":"ServerIgnoredRange"');
  });

  it('#7 the same after a kill: the relaunch asks Range from the kept length, gets 200 and rewrites from 0 once', async () => {
    const fault = await faultWorld(2);
    // 8 KiB/s: the kill at 2.5 s lands mid-body (the log records the partial length at death).
    fault.server.file('/a1k.bin', { content, bytesPerSecond: 8 * 1024, script: faultsByAttempt({ 2: { type: 'ignoreRange' } }) });
    const task = await download(fault, '/a1k.bin');
    fault.world.schedule([{ type: 'kill', at: 2_500 }]);
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    const kept = fault.world.log.crashes[0]?.parts.get('app')?.get(task.taskIdentifier);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(L);
    expect(rangesTo(fault.server, '/a1k.bin')).toEqual([null, `bytes=${kept}-`]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a1k.bin')))).toBe(digest(whole));
    expect(rewritesFromZero(fault.world, task.taskIdentifier)).toBe(1);
    // A host death spends no attempt and waits no backoff; nor does the restart.
    expect(backoffs(fault.world, task.taskIdentifier)).toBe(0);
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: 'ServerIgnoredRange', attempts: { spent: 0 } });
  });
});

describe('A2 a 206 that starts elsewhere than N', () => {
  it.each([
    ['N-1', -1],
    ['0', -N],
    ['N+4096', 4096],
  ])('#6 a 206 starting at %s: nothing appended, restart from 0 without Range and without a backoff, reason RangeMismatch', async (_name, by) => {
    const fault = await faultWorld(3);
    fault.server.file('/a2.bin', { content, script: faultsByAttempt({ 1: { type: 'cut', afterBytes: N }, 2: { type: 'rangeShift', by } }) });
    const task = await download(fault, '/a2.bin');
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a2.bin')))).toBe(digest(whole));
    const requests = requestsTo(fault.server, '/a2.bin');
    expect(requests.map((request) => [request.status, request.headers['range'] ?? null])).toEqual([
      [200, null],
      [206, `bytes=${N}-`],
      [200, null],
    ]);
    expect(requests[1]?.headers['if-range']).toBe(etag);
    // The cut's retry waited a backoff; the restart from 0 is free and waits none.
    expect(backoffs(fault.world, task.taskIdentifier)).toBe(1);
    expect(rewritesFromZero(fault.world, task.taskIdentifier)).toBe(1);
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: 'RangeMismatch', attempts: { spent: 1 } });
  });
});

describe('A3 an invalid Content-Range', () => {
  const rest = content.read(N, L - N);
  const multipart = new Uint8Array([
    ...new TextEncoder().encode(`--x\r\ncontent-type: application/octet-stream\r\ncontent-range: bytes ${N}-${L - 1}/${L}\r\n\r\n`),
    ...rest,
    ...new TextEncoder().encode('\r\n--x--\r\n'),
  ]);
  const contentRange = (value: string | null): ServerFault => ({ type: 'header', name: 'content-range', value });
  const forms: readonly (readonly [string, (now: number) => RouteAnswer])[] = [
    ['last < first', () => contentRange(`bytes ${N}-${N - 1}/${L}`)],
    ['total <= last', () => contentRange(`bytes ${N}-${L - 1}/${L - 1}`)],
    ['bytes 5-/10', () => contentRange('bytes 5-/10')],
    ['unit items', () => contentRange(`items ${N}-${L - 1}/${L}`)],
    ['missing', () => contentRange(null)],
    ['multipart/byteranges', (now) => respond(206, { headers: { date: formatHttpDate(now), etag, 'content-type': 'multipart/byteranges; boundary=x' }, body: multipart })],
    ['last past 2^53', () => contentRange(`bytes ${N}-9007199254740993/9007199254740994`)],
    ['first past 2^53', () => contentRange('bytes 9007199254740993-9007199254740999/9007199254741000')],
    ['total past 2^53', () => contentRange(`bytes ${N}-${L - 1}/9007199254740993`)],
  ];

  it.each(forms)('#6 %s: never combined with the kept bytes, restart from 0, reason RangeMismatch, no throw', async (_name, answer) => {
    const fault = await faultWorld(4);
    fault.server.file('/a3.bin', {
      content,
      script: (_request, attempt, context) => (attempt === 1 ? { type: 'cut', afterBytes: N } : attempt === 2 ? answer(context.now) : undefined),
    });
    const task = await download(fault, '/a3.bin');
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(requestsTo(fault.server, '/a3.bin').map((request) => [request.status, request.headers['range'] ?? null])).toEqual([
      [200, null],
      [206, `bytes=${N}-`],
      [200, null],
    ]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a3.bin')))).toBe(digest(whole));
    expect(backoffs(fault.world, task.taskIdentifier)).toBe(1);
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: 'RangeMismatch', attempts: { spent: 1 } });
  });

  // Each field is mostly the one that continues the kept bytes, so about a third of the shapes are
  // valid and the rest are off in one field or more. Positions past 2^53 - 1 stay text: no float rounds them.
  const mostly = (valid: string, other: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.oneof({ weight: 3, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: other });
  const position = fc.oneof(fc.integer({ min: 0, max: 2 * L }).map(String), fc.bigInt({ min: 2n ** 53n - 2n, max: 2n ** 64n }).map(String));
  const shape = fc.record({
    unit: mostly('bytes', fc.constantFrom('Bytes', 'items', 'byte')),
    first: mostly(String(N), position),
    last: mostly(String(L - 1), position),
    total: mostly(String(L), fc.oneof(position, fc.constant('*'))),
  });

  it('#6 a 206 is appended only when its Content-Range continues the kept bytes exactly; any other one restarts from 0 and the file is right', async () => {
    const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 20);
    await fc.assert(
      fc.asyncProperty(shape, fc.integer({ min: 1, max: 1_000_000 }), async ({ unit, first, last, total }, seed) => {
        const header = `${unit} ${first}-${last}/${total}`;
        // The body is always the true rest: only the header decides whether it may be appended.
        const continues = unit.toLowerCase() === 'bytes' && first === String(N) && last === String(L - 1) && (total === String(L) || total === '*');
        const fault = await faultWorld(seed);
        fault.server.file('/a3p.bin', { content, script: faultsByAttempt({ 1: { type: 'cut', afterBytes: N }, 2: contentRange(header) }) });
        const task = await download(fault, '/a3p.bin');
        const ending = await runToEnd(fault, task);
        expect(ending.violations).toEqual([]);
        expect(digest(fault.world.disk.readFile(destinationOf('/a3p.bin')))).toBe(digest(whole));
        expect({ header, ranges: rangesTo(fault.server, '/a3p.bin'), restart: ending.record.lastRestart }).toEqual({
          header,
          ranges: continues ? [null, `bytes=${N}-`] : [null, `bytes=${N}-`, null],
          restart: continues ? null : 'RangeMismatch',
        });
      }),
      { numRuns: runs },
    );
  });
});
