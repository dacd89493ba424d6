import { BgSessionError, type RequestBody } from '@bgsession/core';

/**
 * The request body as undici pulls it: `body.open()` read once, one chunk at a time, and exactly
 * `body.length` bytes. A source that yields more fails before the extra chunk is handed over, so
 * the server never receives more than the announced `Content-Length`; one that ends short fails
 * too (semantics section 6: the upload's file changed). Either way the error is
 * `UploadSourceChanged`, thrown into undici, which aborts the request with it.
 *
 * `onBodySent(total)` runs when undici asks for the next chunk, that is once it has written the
 * previous one to the socket, and a last time when the source is exhausted.
 */
export async function* exactLengthBody(body: RequestBody, onBodySent: ((totalSent: number) => void) | undefined): AsyncGenerator<Uint8Array, void, undefined> {
  let sent = 0;
  for await (const chunk of body.open()) {
    if (chunk.byteLength === 0) continue;
    if (sent + chunk.byteLength > body.length) {
      throw new BgSessionError('UploadSourceChanged', `The upload source yielded more than its ${body.length} bytes.`);
    }
    yield chunk;
    sent += chunk.byteLength;
    onBodySent?.(sent);
  }
  if (sent < body.length) {
    throw new BgSessionError('UploadSourceChanged', `The upload source ended after ${sent} of its ${body.length} bytes.`);
  }
}
