import { describe, it } from 'vitest';
import fc from 'fast-check';
import { createManualClock, createMemoryConnectivity, createMemoryHost, createScriptedTransport, createSeededRandom } from '@bgsession/testing';
import { BgSessionError, createMemoryByteStore, createMemoryStore, createSession, type Session } from '../index.js';
import { failureOf, settle } from './session-fixtures.test-helpers.js';

const runs = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 100);
const url = 'https://files.example/a.bin';

type Kind = 'download' | 'upload' | 'data';
const body = new Uint8Array([1, 2, 3]);
/** The smallest valid options of each kind, to which each case adds one wrong thing. */
const valid: Readonly<Record<Kind, Record<string, unknown>>> = { download: { url }, upload: { url, body }, data: { url } };

function call(session: Session, kind: Kind, input: unknown): Promise<unknown> {
  return kind === 'download' ? session.download(input as never) : kind === 'upload' ? session.upload(input as never) : session.data(input as never);
}

describe('bad input is a BgSessionError, never another throw (semantics sections 1 and 9)', () => {
  /** One session for every run: each call either creates a task (the server never answers) or fails typed. */
  async function probe(run: (session: Session) => Promise<unknown>): Promise<void> {
    const host = createMemoryHost({ transport: createScriptedTransport(() => ({ type: 'hang' })), seed: 9 });
    const session = await host.open({ identifier: 'fuzz' });
    try {
      await run(session);
    } finally {
      await settle(host, 2);
      await session.close();
    }
  }

  const anything = fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true });
  const kinds = fc.constantFrom<Kind>('download', 'upload', 'data');

  async function typedOrResolved(promise: () => unknown): Promise<void> {
    const error = await failureOf(promise);
    if (error !== undefined && !(error instanceof BgSessionError)) throw new Error(`threw a non-BgSessionError: ${String(error)}`);
  }

  it('arbitrary values as task options resolve or fail with a BgSessionError', async () => {
    await probe((session) =>
      fc.assert(
        fc.asyncProperty(kinds, anything, async (kind, input) => typedOrResolved(() => call(session, kind, input))),
        { numRuns: runs },
      ),
    );
  });

  it('arbitrary values under every known option key resolve or fail with a BgSessionError', async () => {
    const keys = [
      'method', 'headers', 'taskKey', 'taskDescription', 'priority', 'earliestBeginDate', 'timeoutForRequest', 'timeoutForResource',
      'allowsExpensiveNetwork', 'allowsConstrainedNetwork', 'discretionary', 'idempotent', 'countOfBytesClientExpectsToSend',
      'countOfBytesClientExpectsToReceive', 'integrity', 'destination', 'body', 'file', 'maxDataTaskBytes',
    ];
    const patch = fc.dictionary(fc.constantFrom(...keys), anything, { maxKeys: 4 });
    const urls = fc.oneof(fc.constant(url), fc.webUrl(), fc.string(), anything);
    await probe((session) =>
      fc.assert(
        fc.asyncProperty(kinds, urls, patch, async (kind, anyUrl, values) =>
          typedOrResolved(() => call(session, kind, { ...valid[kind], url: anyUrl, resume: false, ...values })),
        ),
        { numRuns: runs },
      ),
    );
  });

  it('arbitrary values as resume data, event ids and configuration fail with a BgSessionError or are a no-op', async () => {
    await probe(async (session) => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.string(), fc.base64String(), anything), async (value) => {
          await typedOrResolved(() => session.download(value as never));
          await typedOrResolved(() => session.discardResumeData(value as never));
          await typedOrResolved(() => session.acknowledge(value as never));
        }),
        { numRuns: runs },
      );
    });
    const clock = createManualClock();
    await fc.assert(
      fc.asyncProperty(anything, fc.dictionary(fc.string(), anything, { maxKeys: 3 }), async (configuration, extra) => {
        for (const given of [configuration, { identifier: 'fuzz-config', ...extra }]) {
          const ports = {
            store: createMemoryStore(), byteStore: createMemoryByteStore(), transport: createScriptedTransport(() => ({ type: 'hang' })),
            clock, random: createSeededRandom(1), connectivity: createMemoryConnectivity(),
          };
          const error = await failureOf(async () => (await createSession({ ports, configuration: given as never })).close());
          if (error !== undefined && !(error instanceof BgSessionError)) throw new Error(`threw a non-BgSessionError: ${String(error)}`);
        }
      }),
      { numRuns: Math.min(runs, 50) },
    );
  });
});
