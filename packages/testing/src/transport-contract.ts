import { describe, expect, it } from 'vitest';
import { isBgSessionError, type AttemptRequest, type HeaderMap, type Transport } from '@bgsession/core';
import { concatBytes } from './concat-bytes.js';
import { expectRejection } from './expect-rejection.js';

/** One response the contract's server gives for a path. */
export interface TransportContractRoute {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Sent in order, each flushed before the next. */
  readonly body: readonly Uint8Array[];
  /**
   * `beforeHead`: accept the request and never answer. `afterBody`: send the head and the body
   * chunks, then never finish the body. Either way, until the client goes away.
   */
  readonly hang?: 'beforeHead' | 'afterBody';
}

/** The paths the contract's server must serve. */
export type TransportContractRoutes = Readonly<Record<string, TransportContractRoute>>;

/** A request as the contract's server received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** The path and query. */
  readonly path: string;
  /** Lower-case names. */
  readonly headers: HeaderMap;
  /** The request body, or null when there was none. */
  readonly body: Uint8Array | null;
}

/** What {@link describeTransportContract} needs to test one Transport implementation. */
export interface TransportContractFixture {
  readonly transport: Transport;
  /** The absolute URL the transport reaches `path` at. */
  url(path: string): string;
  /** What the server received so far, in order. */
  received(): readonly ReceivedRequest[];
  /** Stops the server. */
  dispose?(): Promise<void>;
}

const encoder = new TextEncoder();

/** The routes the contract's server serves; the factory receives them. */
export const transportContractRoutes: TransportContractRoutes = {
  '/hello': { status: 200, headers: { 'content-length': '11', etag: '"v1"' }, body: [encoder.encode('hello '), encoder.encode('world')] },
  '/missing': { status: 404, headers: { 'content-length': '9' }, body: [encoder.encode('not found')] },
  '/redirect': { status: 302, headers: { location: '/hello', 'content-length': '0' }, body: [] },
  '/echo': { status: 201, headers: { 'content-length': '2' }, body: [encoder.encode('ok')] },
  '/hang': { status: 200, headers: {}, body: [], hang: 'beforeHead' },
  '/stall': { status: 200, headers: { 'content-length': '100' }, body: [encoder.encode('first')], hang: 'afterBody' },
};

function request(fixture: TransportContractFixture, path: string, extra: Partial<AttemptRequest> = {}): AttemptRequest {
  return {
    taskIdentifier: 1,
    url: fixture.url(path),
    method: 'GET',
    headers: { 'accept-encoding': 'identity' },
    body: null,
    signal: new AbortController().signal,
    ...extra,
  };
}

/**
 * Declares the tests every Transport adapter passes. `factory` receives the routes its server must
 * serve ({@link transportContractRoutes}) and makes a fresh fixture for each test.
 *
 * @example
 * ```ts
 * describeTransportContract('undici transport', async (routes) => {
 *   const server = await startServer(routes); // a test server on 127.0.0.1, port 0
 *   return { transport: createUndiciTransport(), url: (p) => server.url + p, received: () => server.received, dispose: server.close };
 * });
 * ```
 */
export function describeTransportContract(
  name: string,
  factory: (routes: TransportContractRoutes) => Promise<TransportContractFixture>,
): void {
  async function withFixture(run: (fixture: TransportContractFixture) => Promise<void>): Promise<void> {
    const fixture = await factory(transportContractRoutes);
    try {
      await run(fixture);
    } finally {
      await fixture.dispose?.();
    }
  }

  describe(`${name} (Transport contract)`, () => {
    it('resolves with the head, then yields the body in order', () =>
      withFixture(async (fixture) => {
        const response = await fixture.transport.start(request(fixture, '/hello'));
        expect(response.head.status).toBe(200);
        expect(response.head.headers['etag']).toBe('"v1"');
        expect(response.head.headers['content-length']).toBe('11');
        const chunks: Uint8Array[] = [];
        for await (const chunk of response.body) chunks.push(chunk);
        expect(new TextDecoder().decode(concatBytes(chunks))).toBe('hello world');
      }));

    it('sends the method, headers and body as given', () =>
      withFixture(async (fixture) => {
        const payload = encoder.encode('request body');
        const response = await fixture.transport.start(
          request(fixture, '/echo', {
            method: 'PUT',
            headers: { 'x-bgsession-test': 'yes', 'content-type': 'text/plain' },
            body: { length: payload.length, open: async function* () { yield payload; } },
          }),
        );
        expect(response.head.status).toBe(201);
        for await (const _chunk of response.body) {
          // drain
        }
        const received = fixture.received().at(-1);
        expect(received?.method).toBe('PUT');
        expect(received?.path).toBe('/echo');
        expect(received?.headers['x-bgsession-test']).toBe('yes');
        expect(received?.body).toEqual(payload);
      }));

    it('returns an error status as a head, not a rejection', () =>
      withFixture(async (fixture) => {
        const response = await fixture.transport.start(request(fixture, '/missing'));
        expect(response.head.status).toBe(404);
        const chunks: Uint8Array[] = [];
        for await (const chunk of response.body) chunks.push(chunk);
        expect(new TextDecoder().decode(concatBytes(chunks))).toBe('not found');
      }));

    it('follows no redirect when it declares manualRedirects: the 3xx comes back as is', async (context) => {
      await withFixture(async (fixture) => {
        if (!fixture.transport.capabilities.manualRedirects) return context.skip('the transport follows redirects');
        const response = await fixture.transport.start(request(fixture, '/redirect'));
        expect(response.head.status).toBe(302);
        expect(response.head.headers['location']).toBe('/hello');
        for await (const _chunk of response.body) {
          // drain
        }
        expect(fixture.received().map((received) => received.path)).toEqual(['/redirect']);
      });
    });

    it('an already aborted signal rejects start with ConnectionFailed', () =>
      withFixture(async (fixture) => {
        const controller = new AbortController();
        controller.abort();
        await expectRejection(fixture.transport.start(request(fixture, '/hello', { signal: controller.signal })), 'ConnectionFailed');
      }));

    it('aborting while waiting for the head rejects start with ConnectionFailed', () =>
      withFixture(async (fixture) => {
        const controller = new AbortController();
        const started = fixture.transport.start(request(fixture, '/hang', { signal: controller.signal }));
        await waitUntil(() => fixture.received().length > 0);
        controller.abort();
        await expectRejection(started, 'ConnectionFailed');
      }));

    it('aborting mid-body rejects the body iteration with ConnectionFailed', () =>
      withFixture(async (fixture) => {
        const controller = new AbortController();
        const response = await fixture.transport.start(request(fixture, '/stall', { signal: controller.signal }));
        const iterator = response.body[Symbol.asyncIterator]();
        const first = await iterator.next();
        expect(first.done).toBe(false);
        const rest = (async () => {
          for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) {
            // bytes before the stall
          }
        })();
        controller.abort();
        const error = await rest.then(() => null, (caught: unknown) => caught);
        expect(isBgSessionError(error, 'ConnectionFailed'), `got ${String(error)}`).toBe(true);
      }));

    it('ending the body early releases it without an error', () =>
      withFixture(async (fixture) => {
        const response = await fixture.transport.start(request(fixture, '/hello'));
        for await (const _chunk of response.body) break;
        const again = await fixture.transport.start(request(fixture, '/hello'));
        expect(again.head.status).toBe(200);
        for await (const _chunk of again.body) {
          // drain
        }
      }));
  });
}

/** Polls a condition on the event loop, bounded (a real server takes a few turns to see a request). */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !condition(); turn += 1) {
    await new Promise((resolve) => setTimeout(resolve, turn < 10 ? 0 : 5));
  }
  expect(condition(), 'the server never received the request').toBe(true);
}
