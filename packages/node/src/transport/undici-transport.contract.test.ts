import { describeTransportContract } from '@bgsession/testing';
import { startRouteServer } from './test-servers.test-helpers.js';
import { createUndiciTransport } from './undici-transport.js';

describeTransportContract('undici transport', async (routes) => {
  const server = await startRouteServer(routes);
  const transport = createUndiciTransport({ proxyFromEnvironment: false });
  return {
    transport,
    url: (path) => `${server.origin}${path}`,
    received: () => server.received,
    async dispose() {
      await transport.close();
      await server.close();
    },
  };
});
