import type { TransportCapabilities } from '@bgsession/core';

/**
 * The capabilities of a browser's `fetch` for a cross-origin download whose server exposes no
 * headers: `Accept-Encoding` is forbidden and bodies are decoded, ETag and Content-Range are
 * hidden, `redirect: 'manual'` is opaque so redirects are followed, and there is no upload
 * progress (architecture.md, platform facts). Give it, or a variation, to
 * `network.createTransport({ capabilities })` to run the core against a browser's limits.
 *
 * @example
 * ```ts
 * const transport = network.createTransport({ capabilities: { ...browserFetchCapabilities, seesValidators: true } });
 * ```
 */
export const browserFetchCapabilities: TransportCapabilities = {
  setsAcceptEncoding: false,
  seesValidators: false,
  manualRedirects: false,
  reportsUploadProgress: false,
};
