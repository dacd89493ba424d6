import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createNodeHasher } from './node-hasher.js';

const runs = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 100);

describe('the Node hasher (properties)', () => {
  it('#6 what is delivered is what the server had: the digest of the bytes does not depend on how they were chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), (chunks) => {
        const state = createNodeHasher().create();
        for (const chunk of chunks) state.update(chunk);
        const whole = createHash('sha256').update(Buffer.concat(chunks)).digest('base64');
        return state.digest() === `sha256-${whole}`;
      }),
      { numRuns: runs },
    );
  });
});
