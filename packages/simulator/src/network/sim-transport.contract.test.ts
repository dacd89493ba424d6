import { afterEach } from 'vitest';
import { concatBytes, createManualClock, createSeededRandom, describeTransportContract, type ManualClock, type TransportContractRoutes } from '@bgsession/testing';
import { respond } from '../servers/respond.js';
import { createSimServer } from '../servers/sim-server.js';
import { createSimNetwork, type SimNetworkOptions } from './sim-network.js';
import type { SimHostOptions } from './sim-network-types.js';

const origin = 'http://contract.test';

function fixture(routes: TransportContractRoutes, clock: ManualClock, host: SimHostOptions, network: Partial<SimNetworkOptions> = {}) {
  const world = createSimNetwork({ clock, random: createSeededRandom(1), ...network });
  const server = createSimServer({ origin, clock });
  for (const [path, route] of Object.entries(routes)) {
    server.route(path, () => {
      if (route.hang === 'beforeHead') return { type: 'hang' };
      const body = concatBytes(route.body);
      const plan = respond(route.status, { headers: route.headers, body });
      return route.hang === 'afterBody' ? { ...plan, stallAfter: body.length } : plan;
    });
  }
  world.addServer(server, host);
  return {
    transport: world.createTransport(),
    url: (path: string) => origin + path,
    received: () =>
      server.requests.map((request) => {
        const url = new URL(request.url);
        return { method: request.method, path: url.pathname + url.search, headers: request.headers, body: request.body };
      }),
  };
}

// With no latency and unlimited bandwidth, no timer is ever set: the contract runs as is.
describeTransportContract('simulated transport, instant network', async (routes) =>
  fixture(routes, createManualClock(), { latency: 0, bandwidth: Number.POSITIVE_INFINITY, uploadBandwidth: Number.POSITIVE_INFINITY }),
);

// With latency and a slow link every step is a timer; real time drives the manual clock to the
// next timer each turn, so the contract's own waits (on real time) see the virtual world move.
const drivers: ReturnType<typeof setInterval>[] = [];
afterEach(() => {
  for (const driver of drivers.splice(0)) clearInterval(driver);
});

describeTransportContract('simulated transport, slow link with latency', async (routes) => {
  const clock = createManualClock();
  drivers.push(
    setInterval(() => {
      const next = clock.nextTimerAt();
      if (next !== null) clock.advanceTo(next);
    }, 1),
  );
  return fixture(routes, clock, { latency: 40, bandwidth: 4, uploadBandwidth: 8 }, { chunkLimits: { minChunkBytes: 1 } });
});
