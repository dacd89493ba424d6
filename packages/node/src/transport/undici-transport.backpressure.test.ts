import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { attemptRequest, startHttpServer } from './test-servers.test-helpers.js';
import { createUndiciTransport } from './undici-transport.js';

const bodySize = 64 * 1024 * 1024;
const block = Buffer.alloc(64 * 1024, 7);
const mebibyte = 1024 * 1024;

// Buffers the consumer already dropped still count in `arrayBuffers` until a collection: force one
// before each sample so the figure is what is alive, not what awaits the collector.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('undici transport: backpressure', () => {
  it('a 64 MiB body read slowly keeps memory flat: the server cannot run ahead of the reader', async () => {
    let written = 0;
    const server = await startHttpServer((_request, response) => {
      response.writeHead(200, { 'content-length': String(bodySize) });
      // Writes only what the socket takes: whatever piles up does so in the client.
      const pump = (): void => {
        while (written < bodySize) {
          written += block.byteLength;
          if (!response.write(block)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    cleanups.push(() => server.close());
    const transport = createUndiciTransport({ proxyFromEnvironment: false });
    cleanups.push(() => transport.close());

    collect();
    const baseline = process.memoryUsage().arrayBuffers;
    let read = 0;
    let chunks = 0;
    let peakGrowth = 0;
    let peakLead = 0;
    const response = await transport.start(attemptRequest(`${server.origin}/big`));
    for await (const chunk of response.body) {
      read += chunk.byteLength;
      chunks += 1;
      // A slow consumer: a few event-loop turns per chunk, during which an unthrottled socket
      // would deliver megabytes.
      for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
      peakLead = Math.max(peakLead, written - read);
      if (chunks % 128 === 0) {
        collect();
        peakGrowth = Math.max(peakGrowth, process.memoryUsage().arrayBuffers - baseline);
      }
    }
    expect(read).toBe(bodySize);
    // Measured: about 0.3 MiB of growth and a 5 MiB lead (the kernel's socket buffers hold the
    // lead: loopback windows reach several MiB); without backpressure both approach the whole
    // 64 MiB. The bounds leave room for the test runner's own buffers.
    expect(peakGrowth, `arrayBuffers grew by ${(peakGrowth / mebibyte).toFixed(1)} MiB`).toBeLessThan(16 * mebibyte);
    expect(peakLead, `the server ran ${(peakLead / mebibyte).toFixed(1)} MiB ahead`).toBeLessThan(bodySize / 2);
  });
});
