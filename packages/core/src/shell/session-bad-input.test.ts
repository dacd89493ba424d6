import { describe, expect, it } from 'vitest';
import { createMemoryFileSystem, createMemoryHost, createScriptedTransport, type MemoryHost } from '@bgsession/testing';
import { BgSessionError, createFileByteStore, createMemoryByteStore, createMemoryStore, createSession, type ErrorCode, type Session } from '../index.js';
import { failureOf } from './session-fixtures.test-helpers.js';

const url = 'https://files.example/a.bin';

/** Asserts `call` threw or rejected with a BgSessionError with `code` (and `field`, when given). */
async function expectBgError(call: () => unknown, code: ErrorCode, field?: string): Promise<BgSessionError> {
  const error = await failureOf(call);
  expect(error, `expected ${code}${field === undefined ? '' : ` naming ${field}`}`).toBeInstanceOf(BgSessionError);
  const bg = error as BgSessionError;
  expect({ code: bg.code, ...(field === undefined ? {} : { field: bg.field }) }).toEqual({ code, ...(field === undefined ? {} : { field }) });
  return bg;
}

/** A host whose server never answers: valid tasks stay in flight and change nothing. */
function quietHost(seed = 1): MemoryHost {
  return createMemoryHost({ transport: createScriptedTransport(() => ({ type: 'hang' })), seed });
}

function portsFor(host: MemoryHost) {
  return {
    store: createMemoryStore({ data: host.storeData }),
    byteStore: createMemoryByteStore({ data: host.byteData }),
    transport: createScriptedTransport(() => ({ type: 'hang' })),
    clock: host.clock,
    random: host.random,
    connectivity: host.connectivity,
  };
}

describe('createSession refuses a wrong configuration with InvalidConfiguration naming the field', () => {
  const cases: ReadonlyArray<readonly [string, unknown, string]> = [
    ['an unknown key', { identifier: 's', timeoutForRequests: 1000 }, 'timeoutForRequests'],
    ['an unknown nested key', { identifier: 's', retry: { base: 1000, jitter: true } }, 'retry.jitter'],
    ['an unknown key of redirect', { identifier: 's', redirect: { follow: false } }, 'redirect.follow'],
    ['a negative timeout', { identifier: 's', timeoutForRequest: -1 }, 'timeoutForRequest'],
    ['a NaN timeout', { identifier: 's', timeoutForResource: Number.NaN }, 'timeoutForResource'],
    ['an infinite timeout', { identifier: 's', timeoutForResource: Number.POSITIVE_INFINITY }, 'timeoutForResource'],
    ['a zero limit', { identifier: 's', maxConcurrentTasks: 0 }, 'maxConcurrentTasks'],
    ['a negative per-host limit', { identifier: 's', maxConnectionsPerHost: -2 }, 'maxConnectionsPerHost'],
    ['a fractional limit', { identifier: 's', maxConnectionsPerHost: 1.5 }, 'maxConnectionsPerHost'],
    ['a string where a number goes', { identifier: 's', timeoutForRequest: '60' }, 'timeoutForRequest'],
    ['a string where a boolean goes', { identifier: 's', discretionary: 'yes' }, 'discretionary'],
    ['an empty identifier', { identifier: '' }, 'identifier'],
    ['a numeric identifier', { identifier: 42 }, 'identifier'],
    ['a header value with CRLF', { identifier: 's', additionalHeaders: { 'x-a': 'a\r\nb' } }, 'additionalHeaders.x-a'],
    ['a retry cap below its base', { identifier: 's', retry: { base: 10_000, cap: 1000 } }, 'retry.cap'],
  ];

  for (const [name, configuration, field] of cases) {
    it(`${name} -> InvalidConfiguration (${field})`, async () => {
      const host = quietHost();
      await expectBgError(() => createSession({ ports: portsFor(host), configuration: configuration as never }), 'InvalidConfiguration', field);
      // Nothing was opened: the store is free for a correct open.
      expect(host.storeData.owner).toBeNull();
    });
  }

  it('a configuration that is not an object -> InvalidConfiguration', async () => {
    for (const configuration of [null, 'photos', 42, []]) {
      await expectBgError(() => createSession({ ports: portsFor(quietHost()), configuration: configuration as never }), 'InvalidConfiguration');
    }
  });

  it('a wrong hostOptions.durability -> InvalidConfiguration naming durability, and the store stays free', async () => {
    const host = quietHost();
    for (const durability of ['lazy', 1, null]) {
      await expectBgError(
        () => createSession({ ports: portsFor(host), configuration: { identifier: 's' }, hostOptions: { durability: durability as never } }),
        'InvalidConfiguration',
        'durability',
      );
    }
    expect(host.storeData.owner).toBeNull();
    const session = await host.open({ identifier: 's' }, { durability: 'relaxed' });
    await session.close();
  });

  it('a misspelt host option, or a listener handler that is not a function -> InvalidConfiguration naming it', async () => {
    const host = quietHost();
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ listner: { taskDidComplete: () => undefined } }, 'listner'],
      [{ listener: { taskDidComplete: 'log' } }, 'listener.taskDidComplete'],
      [{ listener: null }, 'listener'],
      [{ credentials: { authorization: 'Bearer t' } }, 'credentials'],
      ['relaxed', 'hostOptions'],
    ];
    for (const [hostOptions, field] of cases) {
      await expectBgError(() => createSession({ ports: portsFor(host), configuration: { identifier: 's' }, hostOptions: hostOptions as never }), 'InvalidConfiguration', field);
    }
    expect(host.storeData.owner).toBeNull();
    // A delegate object may keep its own state beside its handlers.
    const delegate = { seen: 0, taskDidComplete() { this.seen += 1; } };
    await (await host.open({ identifier: 's' }, { listener: delegate })).close();
  });

  it('a store that belongs to another identifier -> InvalidConfiguration naming identifier, and the store stays free', async () => {
    const host = quietHost();
    await (await host.open({ identifier: 'first' })).close();
    await expectBgError(() => host.open({ identifier: 'second' }), 'InvalidConfiguration', 'identifier');
    expect(host.storeData.owner).toBeNull();
  });
});


type Kind = 'download' | 'upload' | 'data';
const body = new Uint8Array([1, 2, 3]);
/** The smallest valid options of each kind, to which each case adds one wrong thing. */
const valid: Readonly<Record<Kind, Record<string, unknown>>> = { download: { url }, upload: { url, body }, data: { url } };

function call(session: Session, kind: Kind, input: unknown): Promise<unknown> {
  return kind === 'download' ? session.download(input as never) : kind === 'upload' ? session.upload(input as never) : session.data(input as never);
}
/** Bytes whose buffer was transferred away (structuredClone with transfer detaches it). */
function detachedBytes(): Uint8Array {
  const bytes = new Uint8Array(8);
  structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
  return bytes;
}

describe('download, upload and data refuse wrong options with a BgSessionError naming the field', () => {
  const badUrls = ['not a url', '/relative/path', 'files.example/a.bin', 'ftp://files.example/a.bin', 'javascript:alert(1)', 'file:///etc/passwd', 'http://', 'https://exa mple.com/', 'https://alice:s3cr3t@files.example/a.bin', 'https://alice@files.example/a.bin'];
  const common: ReadonlyArray<readonly [string, Record<string, unknown>, ErrorCode, string]> = [
    ...badUrls.map((bad) => [`url ${JSON.stringify(bad)}`, { url: bad }, 'InvalidUrl', 'url'] as const),
    ['a missing url', { url: undefined }, 'InvalidUrl', 'url'],
    ['a url that is not a string', { url: 42 }, 'InvalidUrl', 'url'],
    ['a url that is a null-prototype object', { url: Object.create(null) }, 'InvalidUrl', 'url'],
    ['an unknown option', { timeout: 1000 }, 'InvalidArgument', 'timeout'],
    ['a negative timeoutForRequest', { timeoutForRequest: -1 }, 'InvalidArgument', 'timeoutForRequest'],
    ['a zero timeoutForRequest', { timeoutForRequest: 0 }, 'InvalidArgument', 'timeoutForRequest'],
    ['a NaN timeoutForResource', { timeoutForResource: Number.NaN }, 'InvalidArgument', 'timeoutForResource'],
    ['an infinite timeoutForResource', { timeoutForResource: Number.POSITIVE_INFINITY }, 'InvalidArgument', 'timeoutForResource'],
    ['a string timeout', { timeoutForRequest: '1000' }, 'InvalidArgument', 'timeoutForRequest'],
    ['priority 2', { priority: 2 }, 'InvalidArgument', 'priority'],
    ['a negative priority', { priority: -0.1 }, 'InvalidArgument', 'priority'],
    ['a NaN priority', { priority: Number.NaN }, 'InvalidArgument', 'priority'],
    ['a method with a space', { method: 'GE T' }, 'InvalidArgument', 'method'],
    ['an empty method', { method: '' }, 'InvalidArgument', 'method'],
    ['a method that is not a string', { method: 7 }, 'InvalidArgument', 'method'],
    ['headers that are not an object', { headers: 'accept: */*' }, 'InvalidArgument', 'headers'],
    ['headers as an array', { headers: [['accept', '*/*']] }, 'InvalidArgument', 'headers'],
    ['a header value with CRLF', { headers: { 'x-a': 'a\r\nInjected: yes' } }, 'InvalidArgument', 'headers.x-a'],
    ['a header value with NUL', { headers: { 'x-a': 'a\0b' } }, 'InvalidArgument', 'headers.x-a'],
    ['a header value that is not a string', { headers: { 'x-a': 1 } }, 'InvalidArgument', 'headers.x-a'],
    ['a header name with a space', { headers: { 'x a': 'b' } }, 'InvalidArgument', 'headers.x a'],
    ['a managed header: Range', { headers: { Range: 'bytes=0-' } }, 'InvalidArgument', 'headers.Range'],
    ['a managed header: Content-Length', { headers: { 'Content-Length': '3' } }, 'InvalidArgument', 'headers.Content-Length'],
    ['a managed header: Host', { headers: { host: 'elsewhere.example' } }, 'InvalidArgument', 'headers.host'],
    ['an empty taskKey', { taskKey: '' }, 'InvalidArgument', 'taskKey'],
    ['a taskKey that is not a string', { taskKey: 42 }, 'InvalidArgument', 'taskKey'],
    ['a taskKey over 1024 characters', { taskKey: 'k'.repeat(1025) }, 'InvalidArgument', 'taskKey'],
    ['a taskDescription that is not a string', { taskDescription: { text: 'x' } }, 'InvalidArgument', 'taskDescription'],
    ['an earliestBeginDate that is a string', { earliestBeginDate: '2030-01-01' }, 'InvalidArgument', 'earliestBeginDate'],
    ['an invalid Date as earliestBeginDate', { earliestBeginDate: new Date(Number.NaN) }, 'InvalidArgument', 'earliestBeginDate'],
    ['a negative byte count', { countOfBytesClientExpectsToReceive: -1 }, 'InvalidArgument', 'countOfBytesClientExpectsToReceive'],
    ['a fractional byte count', { countOfBytesClientExpectsToSend: 1.5 }, 'InvalidArgument', 'countOfBytesClientExpectsToSend'],
    ['a string flag', { allowsExpensiveNetwork: 'no' }, 'InvalidArgument', 'allowsExpensiveNetwork'],
    ['a numeric resume', { resume: 1 }, 'InvalidArgument', 'resume'],
    ['method CONNECT (a tunnel, not a transfer)', { method: 'connect' }, 'InvalidArgument', 'method'],
    ['method TRACE', { method: 'TRACE' }, 'InvalidArgument', 'method'],
    ['an Expect header (the transport cannot wait for 100 Continue)', { headers: { Expect: '100-continue' } }, 'InvalidArgument', 'headers.Expect'],
    ['a header value beyond Latin-1', { headers: { authorization: 'Bearer €' } }, 'InvalidArgument', 'headers.authorization'],
  ];

  for (const kind of ['download', 'upload', 'data'] as const) {
    describe(kind, () => {
      for (const [name, patch, code, field] of common) {
        it(`${name} -> ${code} (${field})`, async () => {
          const host = quietHost();
          const session = await host.open({ identifier: 'bad-options' });
          await expectBgError(() => call(session, kind, { ...valid[kind], ...patch }), code, field);
          expect(session.tasks()).toEqual([]);
          await session.close();
        });
      }
    });
  }

  const specific: ReadonlyArray<readonly [Kind, string, unknown, ErrorCode, string]> = [
    ['download', 'options that are null', null, 'InvalidArgument', 'options'],
    ['upload', 'options that are a number', 42, 'InvalidArgument', 'options'],
    ['data', 'options that are an array', [url], 'InvalidArgument', 'options'],
    ['upload', 'options that are a string', url, 'InvalidArgument', 'options'],
    ['download', 'a body', { url, body }, 'InvalidArgument', 'body'],
    ['download', 'maxDataTaskBytes', { url, maxDataTaskBytes: 10 }, 'InvalidArgument', 'maxDataTaskBytes'],
    ['upload', 'a destination', { url, body, destination: { type: 'path', path: '/a', ifExists: 'fail' } }, 'InvalidArgument', 'destination'],
    ['data', 'integrity', { url, integrity: `sha256-${'A'.repeat(43)}=` }, 'InvalidArgument', 'integrity'],
    ['upload', 'neither a body nor a file', { url }, 'InvalidArgument', 'file'],
    ['upload', 'a file path with a NUL', { url, file: '/home/me/a.bin\0.txt' }, 'InvalidArgument', 'file'],
    ['data', 'a file (data tasks take bytes only)', { url, file: '/home/me/a.bin' }, 'InvalidArgument', 'file'],
    ['upload', 'a string body', { url, body: 'hello' }, 'InvalidArgument', 'body'],
    ['upload', 'an array body', { url, body: [1, 2, 3] }, 'InvalidArgument', 'body'],
    ['data', 'an ArrayBuffer body', { url, body: new ArrayBuffer(3) }, 'InvalidArgument', 'body'],
    ['data', 'a body whose buffer was transferred', { url, body: detachedBytes() }, 'InvalidArgument', 'body'],
    ['upload', 'a body whose buffer was transferred', { url, body: detachedBytes() }, 'InvalidArgument', 'body'],
    ['data', 'a zero maxDataTaskBytes', { url, maxDataTaskBytes: 0 }, 'InvalidArgument', 'maxDataTaskBytes'],
    ['data', 'a managed header: Transfer-Encoding', { url, headers: { 'transfer-encoding': 'chunked' } }, 'InvalidArgument', 'headers.transfer-encoding'],
    ['download', 'a managed header: If-Range', { url, headers: { 'If-Range': '"v1"' } }, 'InvalidArgument', 'headers.If-Range'],
    ['download', 'Accept-Encoding (downloads resume by byte offsets)', { url, headers: { 'accept-encoding': 'gzip' } }, 'InvalidArgument', 'headers.accept-encoding'],
    ['download', 'integrity of another algorithm', { url, integrity: 'md5-1B2M2Y8AsgTpgAmY7PhCfg==' }, 'InvalidArgument', 'integrity'],
    ['download', 'integrity too short', { url, integrity: 'sha256-abc=' }, 'InvalidArgument', 'integrity'],
    ['download', 'integrity that is not a string', { url, integrity: 42 }, 'InvalidArgument', 'integrity'],
    ['download', 'a destination string', { url, destination: '/downloads/a.bin' }, 'InvalidArgument', 'destination'],
    ['download', 'a destination with a misspelt ifExists key', { url, destination: { type: 'path', path: '/downloads/a.bin', ifExist: 'replace' } }, 'InvalidArgument', 'destination'],
    ['download', 'a destination with an empty path', { url, destination: { type: 'path', path: '', ifExists: 'fail' } }, 'InvalidArgument', 'destination'],
    ['download', 'a destination path with a NUL', { url, destination: { type: 'path', path: '/downloads/a.bin\0.txt' } }, 'InvalidArgument', 'destination'],
    ['download', 'a destination directory with a NUL', { url, destination: { type: 'directory', directory: '/downloads\0/x' } }, 'InvalidArgument', 'destination'],
    ['download', 'a destination of an unknown type', { url, destination: { type: 'folder', directory: '/d', ifExists: 'fail' } }, 'InvalidArgument', 'destination'],
    ['download', 'a destination with a wrong ifExists', { url, destination: { type: 'directory', directory: '/d', ifExists: 'overwrite' } }, 'InvalidArgument', 'destination'],
    ['download', 'a destination with an extra key', { url, destination: { type: 'path', path: '/a', ifExists: 'fail', mode: 0o600 } }, 'InvalidArgument', 'destination'],
    ['download', 'a path destination with a directory key', { url, destination: { type: 'path', directory: '/a', ifExists: 'fail' } }, 'InvalidArgument', 'destination'],
  ];

  for (const [kind, name, input, code, field] of specific) {
    it(`${kind} with ${name} -> ${code} (${field})`, async () => {
      const host = quietHost();
      const session = await host.open({ identifier: 'bad-options' });
      await expectBgError(() => call(session, kind, input), code, field);
      expect(session.tasks()).toEqual([]);
      await session.close();
    });
  }

  it('a URL given as the string argument of download is checked as a URL, not taken for resume data', async () => {
    const session = await quietHost().open({ identifier: 'string-urls' });
    for (const bad of ['ftp://files.example/a.bin', 'javascript:alert(1)', '/relative/path', 'files.example/a.bin', 'mailto:someone@example.com', 'example.com']) {
      await expectBgError(() => session.download(bad), 'InvalidUrl', 'url');
    }
    const task = await session.download(url);
    expect(task.info().originalRequest.url).toBe(url);
    await session.close();
  });

  it('a URL object is taken as its href, as download(URL) and as { url: URL }; a URL object that is not http(s) is InvalidUrl', async () => {
    const session = await quietHost().open({ identifier: 'url-objects' });
    const first = await session.download(new URL('https://files.example/a.bin?x=1'));
    expect(first.info().originalRequest.url).toBe('https://files.example/a.bin?x=1');
    const second = await session.data({ url: new URL('/b.json', 'https://files.example') });
    expect(second.info().originalRequest.url).toBe('https://files.example/b.json');
    await expectBgError(() => session.download(new URL('ftp://files.example/a.bin')), 'InvalidUrl', 'url');
    await session.close();
  });

  it('valid options with every field are accepted, so the cases above fail for their one wrong thing', async () => {
    const session = await quietHost().open({ identifier: 'good-options' });
    const task = await session.download({
      url, method: 'GET', headers: { Accept: '*/*', Authorization: 'Bearer t' }, taskKey: 'k', taskDescription: 'd', priority: 1,
      earliestBeginDate: new Date(1_700_000_000_000), timeoutForRequest: 1000, timeoutForResource: 10_000, allowsExpensiveNetwork: false,
      allowsConstrainedNetwork: false, discretionary: true, idempotent: true, countOfBytesClientExpectsToSend: 0,
      countOfBytesClientExpectsToReceive: 10, resume: false, integrity: `sha256-${'A'.repeat(43)}=`,
      destination: { type: 'directory', directory: '/downloads', ifExists: 'rename' },
    });
    expect(task.info().state).toBe('suspended');
    const upload = await session.upload({ url, body, method: 'POST', resume: false });
    expect(upload.info().originalRequest.method).toBe('POST');
    const data = await session.data({ url, body, maxDataTaskBytes: 10, resume: false });
    expect(data.info().kind).toBe('data');
    await session.close();
  });

  it("ifExists left out is 'fail' (semantics section 2): a file already at the path refuses the download at once with DestinationExists naming it, creates nothing and leaves the file as it was", async () => {
    const host = quietHost();
    const mine = new TextEncoder().encode('the app\'s own file');
    host.byteData.files.set('/downloads/a.bin', mine);
    const session = await host.open({ identifier: 'taken-destination' });
    const error = await expectBgError(() => session.download({ url, destination: { type: 'path', path: '/downloads/a.bin' } }), 'DestinationExists');
    expect(error.path).toBe('/downloads/a.bin');
    await expectBgError(() => session.download({ url, destination: { type: 'path', path: '/downloads/a.bin', ifExists: 'fail' } }), 'DestinationExists');
    expect(session.tasks()).toEqual([]);
    expect(host.byteData.files.get('/downloads/a.bin')).toBe(mine);
    const free = await session.download({ url, destination: { type: 'path', path: '/downloads/b.bin' }, resume: false });
    expect(session.tasks()).toEqual([free]);
    // The other rules and a directory (whose file name the response gives) are not refused up front.
    await session.download({ url, destination: { type: 'path', path: '/downloads/a.bin', ifExists: 'replace' }, resume: false });
    await session.download({ url, destination: { type: 'directory', directory: '/downloads' }, resume: false });
    expect(session.tasks()).toHaveLength(3);
    await session.close();
  });

  it('a destination the file byte store cannot use (a relative path, with no host to resolve it) is InvalidArgument naming destination, before any request', async () => {
    const host = quietHost();
    const fs = createMemoryFileSystem();
    await fs.mkdir('/s');
    const session = await createSession({ ports: { ...portsFor(host), byteStore: createFileByteStore({ fs, directory: '/s/bytes' }) }, configuration: { identifier: 'relative' } });
    const error = await expectBgError(() => session.download({ url, destination: { type: 'path', path: 'report.pdf' } }), 'InvalidArgument', 'destination');
    expect(error.message).toMatch(/report\.pdf/);
    expect(session.tasks()).toEqual([]);
    await session.close();
  });

  it('identifiers follow the order of the calls, whether or not a destination is checked first', async () => {
    const session = await quietHost().open({ identifier: 'creation-order' });
    const created = await Promise.all([
      session.download({ url: `${url}?1`, destination: { type: 'path', path: '/downloads/1.bin' }, resume: false }),
      session.download({ url: `${url}?2`, resume: false }),
      session.download({ url: `${url}?3`, destination: { type: 'path', path: '/downloads/3.bin' }, resume: false }),
      session.download({ url: `${url}?4`, resume: false }),
    ]);
    expect(created.map((task) => [task.taskIdentifier, task.info().originalRequest.url])).toEqual([1, 2, 3, 4].map((n) => [n, `${url}?${n}`]));
    await session.close();
  });

  it('a refused creation gives its identifier back when no later call took one: refused calls in a row leave no gap', async () => {
    const host = quietHost();
    host.byteData.files.set('/downloads/taken.bin', new Uint8Array([1]));
    const session = await host.open({ identifier: 'refused-in-a-row' });
    for (let i = 0; i < 50; i += 1) {
      await expectBgError(() => session.download({ url, destination: { type: 'path', path: '/downloads/taken.bin' } }), 'DestinationExists');
    }
    expect((await session.download({ url, resume: false })).taskIdentifier).toBe(1);
    // Refused while a later call was being created: that one keeps its place, the refused one a gap.
    const [refused, later] = await Promise.allSettled([
      session.download({ url, destination: { type: 'path', path: '/downloads/taken.bin' } }),
      session.download({ url: `${url}?later`, resume: false }),
    ]);
    expect(refused.status).toBe('rejected');
    expect(later.status === 'fulfilled' && later.value.taskIdentifier).toBe(3);
    await session.close();
  });

  it('integrity on a session without a Hasher -> InvalidArgument naming integrity', async () => {
    const host = quietHost();
    const session = await createSession({ ports: portsFor(host), configuration: { identifier: 'no-hasher' } });
    await expectBgError(() => session.download({ url, integrity: `sha256-${'A'.repeat(43)}=` }), 'InvalidArgument', 'integrity');
    await session.close();
  });
});
