import { BgSessionError, type RequestBody } from '@bgsession/core';
import type { ServerExchange } from '../servers/sim-server.js';
import type { AttemptRun } from './attempt-run.js';
import type { HostState } from './host-state.js';
import type { NetworkContext } from './network-context.js';

/**
 * Sends a request body at the upload rate: each chunk the source yields takes its transfer time
 * on the virtual clock, then reaches the server's log and `onBodySent` (when the transport
 * reports upload progress). Exactly `body.length` bytes go out: a source that yields more, or
 * ends short, fails with `UploadSourceChanged` before the extra chunk leaves (semantics section 6).
 */
export async function sendRequestBody(
  context: NetworkContext,
  host: HostState,
  body: RequestBody,
  onBodySent: ((totalSent: number) => void) | null,
  reportsProgress: boolean,
  run: AttemptRun,
  exchange: ServerExchange,
): Promise<void> {
  const fields = { bodyMayHaveBeenSent: true, reusedConnection: run.reused };
  exchange.receiveBody(new Uint8Array(0));
  let sent = 0;
  try {
    for await (const chunk of body.open()) {
      run.check();
      if (chunk.byteLength === 0) continue;
      if (sent + chunk.byteLength > body.length) {
        throw new BgSessionError('UploadSourceChanged', `The upload source yielded more than its ${body.length} bytes.`, fields);
      }
      await run.wait((chunk.byteLength / context.uploadRate(host)) * 1000);
      run.check();
      exchange.receiveBody(chunk);
      sent += chunk.byteLength;
      if (reportsProgress) onBodySent?.(sent);
    }
  } catch (error) {
    if (run.failure !== null) throw run.failure;
    const failure = error instanceof BgSessionError ? error : new BgSessionError('ConnectionFailed', 'The request body source failed.', { ...fields, cause: error });
    throw run.fail(failure, 'aborted', 'aborted');
  }
  run.check();
  if (sent < body.length) {
    throw run.fail(new BgSessionError('UploadSourceChanged', `The upload source ended after ${sent} of its ${body.length} bytes.`, fields), 'aborted', 'aborted');
  }
}
