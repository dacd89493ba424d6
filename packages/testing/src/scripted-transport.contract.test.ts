import { describeTransportContract } from './transport-contract.js';
import { createScriptedTransport, type ScriptStep } from './scripted-transport.js';

describeTransportContract('scripted transport', async (routes) => {
  const origin = 'http://scripted.test';
  const transport = createScriptedTransport((request): ScriptStep => {
    const route = routes[new URL(request.url).pathname];
    if (route === undefined) return { type: 'respond', status: 404, body: [] };
    if (route.hang === 'beforeHead') return { type: 'hang' };
    const length = route.body.reduce((sum, chunk) => sum + chunk.length, 0);
    return {
      type: 'respond',
      status: route.status,
      headers: route.headers,
      body: route.body,
      ...(route.hang === 'afterBody' ? { hangAfter: length } : {}),
    };
  });
  return {
    transport,
    url: (path) => origin + path,
    received: () =>
      transport.requests.map((request) => {
        const url = new URL(request.url);
        return { method: request.method, path: url.pathname + url.search, headers: request.headers, body: request.body };
      }),
  };
});
