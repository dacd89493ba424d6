import type { ServedFile } from '../invariants/world-check-input.js';
import type { SimServer } from '../servers/sim-server.js';

/**
 * The server as the world hands it to a test: the same server, with every file it is given noted
 * in `served` (its URL at each origin, its resource, its first version) for invariant #6.
 *
 * @example
 * ```ts
 * const server = recordingServedFiles(createSimServer({ origin, clock }), served);
 * ```
 */
export function recordingServedFiles(server: SimServer, served: ServedFile[]): SimServer {
  return {
    origins: server.origins,
    requests: server.requests,
    redirect: (path, options) => server.redirect(path, options),
    upload: (path, options) => server.upload(path, options),
    route: (path, script) => server.route(path, script),
    handle: (request) => server.handle(request),
    file(path, fileOptions) {
      const resource = server.file(path, fileOptions);
      for (const origin of server.origins) served.push({ url: `${origin}${path}`, resource, first: fileOptions.content });
      return resource;
    },
  };
}
