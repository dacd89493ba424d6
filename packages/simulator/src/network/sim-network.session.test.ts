import { describe, expect, it } from 'vitest';
import { createMemoryByteStore, createMemoryByteStoreData, createMemoryStore, createSession, type DurableEvent } from '@bgsession/core';
import { createManualClock, createNodeTestHasher, createSeededRandom, type ManualClock } from '@bgsession/testing';
import { faultsByAttempt } from '../servers/faults-by-attempt.js';
import { generatedContent } from '../servers/generated-content.js';
import { createSimServer, type SimServer } from '../servers/sim-server.js';
import type { SimContent } from '../servers/sim-content.js';
import type { SimResource } from '../servers/sim-resource.js';
import { createSimNetwork, type SimNetwork } from './sim-network.js';

const MiB = 1024 * 1024;
const url = 'https://files.example/big.bin';
const destination = { type: 'path', path: '/downloads/big.bin', ifExists: 'fail' } as const;

/** A session on core's memory stores, over a simulated network on one manual clock. */
async function world(configure: (network: SimNetwork, server: SimServer) => SimResource) {
  const clock = createManualClock();
  const network = createSimNetwork({ clock, random: createSeededRandom(3) });
  const server = createSimServer({ origin: 'https://files.example', clock });
  const resource = configure(network, server);
  const byteData = createMemoryByteStoreData();
  const events: DurableEvent[] = [];
  const session = await createSession({
    ports: {
      store: createMemoryStore(),
      byteStore: createMemoryByteStore({ data: byteData }),
      transport: network.createTransport(),
      clock,
      random: createSeededRandom(4),
      connectivity: network.connectivity,
      hasher: createNodeTestHasher(),
    },
    configuration: { identifier: 'simulated', retry: { base: 2_000 } },
    hostOptions: { listener: { downloadDidFinish: (event) => void events.push(event), taskDidComplete: (event) => void events.push(event) } },
  });
  return { clock, network, server, resource, byteData, events, session };
}

/** Moves the clock in 1 s steps, letting promise chains run, until `done` (bounded). */
async function runUntil(clock: ManualClock, done: () => boolean, maxSteps = 5_000): Promise<void> {
  for (let step = 0; step < maxSteps && !done(); step += 1) await clock.advanceAsync(1000);
  await clock.flush();
  if (!done()) throw new Error('the session did not get there within the bounded run');
}

function firstDifference(actual: Uint8Array | null, expected: SimContent): number | 'missing' {
  if (actual === null) return 'missing';
  const bytes = expected.read(0, expected.length);
  const shorter = Math.min(actual.length, bytes.length);
  for (let i = 0; i < shorter; i += 1) if (actual[i] !== bytes[i]) return i;
  return actual.length === bytes.length ? -1 : shorter;
}

describe('core sessions over the simulated network', () => {
  it('#6 #7 a download cut mid-body by the network resumes with Range and If-Range from the kept bytes, and the file is the server content', async () => {
    const cut = 2 * MiB + 12_345;
    const { clock, network, server, resource, byteData, events, session } = await world((network, server) => {
      const resource = server.file('/big.bin', { content: generatedContent({ seed: 11, length: 6 * MiB }) });
      network.addServer(server, { latency: 80, bandwidth: 2 * MiB });
      network.injectFault('files.example', { type: 'drop', afterBytes: cut });
      return resource;
    });
    const task = await session.download({ url, destination });
    await runUntil(clock, () => events.length === 2);

    expect(events.map((event) => event.type)).toEqual(['downloadDidFinish', 'taskDidComplete']);
    expect(server.requests.map((request) => [request.status, request.outcome])).toEqual([[200, 'dropped'], [206, 'complete']]);
    expect(server.requests[0]?.bytesSent).toBe(cut);
    expect(server.requests[1]?.headers).toMatchObject({ range: `bytes=${cut}-`, 'if-range': `"${resource.content.tag}"` });
    expect(network.trace.some((event) => event.type === 'end' && event.outcome === 'dropped' && event.bytes === cut)).toBe(true);
    expect(firstDifference(byteData.readFile(destination.path), resource.content)).toBe(-1);
    expect((await task.outcome()).phase).toBe('succeeded');
    await session.close();
  });

  it('#6 #8 a server cut, a 503 with Retry-After, then a changed file: the resume names the validator, the new version is fetched whole', async () => {
    const { clock, server, resource, byteData, events, session } = await world((network, server) => {
      const resource = server.file('/big.bin', {
        content: generatedContent({ seed: 12, length: 3 * MiB }),
        script: faultsByAttempt({ 1: { type: 'cut', afterBytes: MiB }, 2: { type: 'status', status: 503, retryAfter: '30' }, 3: { type: 'newVersion' } }),
      });
      network.addServer(server, { latency: 50, bandwidth: MiB });
      return resource;
    });
    const firstTag = resource.content.tag;
    const task = await session.download({ url, destination });
    await runUntil(clock, () => events.length === 2);

    const log = server.requests;
    expect(log.map((request) => request.status)).toEqual([200, 503, 200]);
    for (const resumed of [log[1], log[2]]) expect(resumed?.headers).toMatchObject({ range: `bytes=${MiB}-`, 'if-range': `"${firstTag}"` });
    expect((log[2]?.at ?? 0) - (log[1]?.at ?? 0)).toBeGreaterThanOrEqual(30_000);
    expect(resource.version).toBe(2);
    expect(firstDifference(byteData.readFile(destination.path), resource.content)).toBe(-1);
    expect((await task.outcome()).phase).toBe('succeeded');
    await session.close();
  });
});
