import { BgSessionError } from '../errors/bg-session-error.js';
import type { ResponseHead } from '../model/http.js';

const errorBodyCap = 64 * 1024;

/** Any failure of an attempt as a `BgSessionError` (what is not one is a connection failure). */
export function toError(error: unknown): BgSessionError {
  if (error instanceof BgSessionError) return error;
  return new BgSessionError('ConnectionFailed', 'The attempt failed unexpectedly.', { cause: error });
}

/** Ends a body the attempt will not read, releasing its connection. */
export async function closeBody(body: AsyncIterable<Uint8Array>): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();
  await iterator.return?.().catch(() => undefined);
}

/**
 * An HttpStatus error with the status, the headers and the first 64 KiB of the body as text.
 * `onChunk` is told of each chunk (the attempt's idle watchdog: a slow error body is not silence);
 * a body cut short, by the server or by the watchdog, still gives the status with what was read.
 */
export async function statusError(head: ResponseHead, body: AsyncIterable<Uint8Array>, taskIdentifier: number, onChunk: () => void = () => undefined): Promise<BgSessionError> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      onChunk();
      chunks.push(chunk.subarray(0, errorBodyCap - size));
      size += Math.min(chunk.byteLength, errorBodyCap - size);
      if (size >= errorBodyCap) break;
    }
  } catch {
    // The body of an error is informative only; a broken one does not change the status.
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return new BgSessionError('HttpStatus', `The server answered ${head.status}.`, { status: head.status, headers: head.headers, body: text, taskIdentifier });
}
