// The module's, not the global: an app's fake timers (vi.useFakeTimers) replace the global one,
// and the session's own turns must come all the same, or close() and new tasks would wait forever.
import { setImmediate } from 'node:timers';
import { isAbsolute, resolve } from 'node:path';
import {
  BgSessionError,
  createFileByteStore,
  createJournalStore,
  createSession,
  type HostOptions,
  type Probe,
  type DownloadOptions,
  type ResumeDownloadOptions,
  type Session,
  type SessionConfigurationInput,
  type UploadOptions,
  isBgSessionError,
} from '@bgsession/core';
import { errnoCodeOf } from '../file-system/file-system-error.js';
import { createNodeFileSystem } from '../file-system/node-file-system.js';
import { createNodeClock } from '../platform/node-clock.js';
import { createNodeConnectivity, type NodeConnectivity, type NodeConnectivityOptions } from '../platform/node-connectivity.js';
import { createNodeHasher } from '../platform/node-hasher.js';
import { createNodeRandom } from '../platform/node-random.js';
import { createUndiciTransport, type UndiciTransport, type UndiciTransportOptions } from '../transport/undici-transport.js';
import { warnDeliveryFailure } from './delivery-failure-warning.js';
import { listenerAfterOpen } from './listener-after-open.js';
import { checkOpenSessionOptions } from './open-session-options.js';
import { sessionDestinations } from './session-destinations.js';

/** What {@link openSession} takes: the identifier, host options (never persisted) and the configuration (persisted). */
export interface OpenSessionOptions {
  /** The session's identifier; the same one re-attaches to its tasks after a restart. */
  readonly identifier: string;
  /**
   * The session's directory (created when missing; a relative path is resolved against the working
   * directory). Default: `<user data directory>/bgsession/sessions/<identifier, sanitised>`.
   */
  readonly directory?: string;
  readonly listener?: HostOptions['listener'];
  readonly durability?: HostOptions['durability'];
  readonly credentials?: HostOptions['credentials'];
  /** The session configuration without its identifier: persisted, replaces the stored one. */
  readonly configuration?: Omit<SessionConfigurationInput, 'identifier'>;
  /** How the undici transport connects; `connectionsPerOrigin` is raised to at least `maxConnectionsPerHost`. */
  readonly transport?: UndiciTransportOptions;
  /** How the network is watched; the app changes it later through `session.connectivity`. */
  readonly connectivity?: NodeConnectivityOptions;
  /**
   * Whether the session's timers (backoffs, due times) keep the process alive (default true). A
   * CLI that should exit while tasks wait for later sets false; it must still call `close()`.
   */
  readonly keepAlive?: boolean;
  /**
   * Told at every named crash point (for crash tests: see {@link createSigkillProbe}). Production
   * code passes none.
   */
  readonly probe?: Probe;
}

/** A session on Node, with what the Node host adds. */
export interface NodeSession extends Session {
  /** The session's directory: the journal is in `store/`, the bytes in `bytes/`. */
  readonly directory: string;
  /** Tells the session the network is metered or low-data (`setExpensive`, `setConstrained`), or forces it online. */
  readonly connectivity: NodeConnectivity;
  /** Stops the session (tasks continue at the next open), then closes the transport, the byte store and the network watch. */
  close(): Promise<void>;
}

/**
 * Opens a background transfer session on Node: a journal store in `<directory>/store` on node:fs,
 * a file byte store in `<directory>/bytes`, an undici transport, the Node clock, randomness,
 * connectivity and SHA-256 hasher. Opening is exclusive: a second open of the same directory while
 * the first is alive rejects with `SessionInUse` (a process that died leaves no lock behind).
 * Bad options reject with `InvalidConfiguration` naming the field.
 *
 * @example
 * ```ts
 * import { openSession } from '@bgsession/node';
 *
 * const session = await openSession({
 *   identifier: 'com.example.backup',
 *   listener: {
 *     downloadDidFinish: (event) => console.log('saved to', event.location),
 *     taskDidComplete: (event) => console.log(event.task.taskIdentifier, event.error?.code ?? 'ok'),
 *   },
 *   configuration: { maxConnectionsPerHost: 4, allowsExpensiveNetwork: false },
 * });
 * await session.download({ url: 'https://example.com/big.iso', destination: { type: 'path', path: '/tmp/big.iso', ifExists: 'replace' } });
 * session.connectivity.setExpensive(true); // on a hotspot now: the download waits
 * await session.close();
 * ```
 */
export async function openSession(options: OpenSessionOptions): Promise<NodeSession> {
  const checked = checkOpenSessionOptions(options);
  const fs = createNodeFileSystem();
  await fs.mkdir(checked.directory).catch((error: unknown) => {
    // mkdir -p meets a file where the directory (or one of its parents) goes: the option is wrong,
    // no file was in the way of a task.
    if (isBgSessionError(error, 'DestinationExists') || (isBgSessionError(error) && errnoCodeOf(error.cause) === 'ENOTDIR')) {
      throw new BgSessionError('InvalidConfiguration', `openSession: directory: ${checked.directory} is a file, not a directory.`, { field: 'directory', path: checked.directory, cause: error });
    }
    throw error;
  });
  const destinations = sessionDestinations(checked.directory);
  const clock = createNodeClock({ unref: !(options.keepAlive ?? true) });
  const connectivity = createNodeConnectivity(options.connectivity);
  const byteStore = createFileByteStore({ fs, directory: fs.join(checked.directory, 'bytes'), ...probeOf(options) });
  let transport: UndiciTransport;
  try {
    transport = createUndiciTransport({ ...options.transport, connectionsPerOrigin: checked.connectionsPerOrigin });
  } catch (error) {
    connectivity.close();
    throw error;
  }
  const closePorts = async (): Promise<void> => {
    connectivity.close();
    await Promise.all([byteStore.close().catch(() => undefined), transport.close().catch(() => undefined)]);
  };
  // A handler that keeps throwing is retried, never in silence: a warning when the app does not listen for it.
  const held = listenerAfterOpen(checked.hostOptions.listener, { eventDeliveryFailed: warnDeliveryFailure });
  let session: Session;
  try {
    session = await createSession({
      ports: {
        store: createJournalStore({ fs, directory: fs.join(checked.directory, 'store'), clock, ...probeOf(options) }),
        byteStore,
        transport,
        clock,
        random: createNodeRandom(),
        connectivity,
        hasher: createNodeHasher(),
        // The stored tasks join in chunks after the open, the backlog's events delivered between them.
        nextTurn: () => new Promise<void>((resolve) => setImmediate(resolve)),
        ...probeOf(options),
      },
      configuration: { ...options.configuration, identifier: options.identifier },
      hostOptions: held.listener === undefined ? checked.hostOptions : { ...checked.hostOptions, listener: held.listener },
    });
  } catch (error) {
    held.failed();
    await closePorts();
    throw error;
  }
  // No await from here to the return: the handlers go through a macrotask after this.
  held.opened();
  let closing: Promise<void> | null = null;
  return {
    ...session,
    download: (input) => {
      const absolute = withAbsolutePaths(input);
      // Nothing awaited before the session's own call: a taskKey is looked up as things are now.
      const refused = destinations.inside(absolute);
      return refused === null ? session.download(absolute) : Promise.reject(refused);
    },
    upload: (input) => session.upload(withAbsolutePaths(input)),
    directory: checked.directory,
    connectivity,
    close: () =>
      (closing ??= (async () => {
        await held.beforeClose();
        await session.close();
        await closePorts();
      })()),
  };
}

function probeOf(options: OpenSessionOptions): { probe?: Probe } {
  return options.probe === undefined ? {} : { probe: options.probe };
}

/**
 * A download whose destination, or an upload whose `file`, is a relative path, resolved against
 * the working directory now, as node:fs would: the session keeps absolute paths only, so a later
 * `cd` or a relaunch elsewhere cannot move the file. Anything else goes to the session as it is,
 * to be checked there.
 */
function withAbsolutePaths<T extends DownloadOptions | ResumeDownloadOptions | UploadOptions | string | URL>(input: T): T {
  if (typeof input === 'string' || typeof input !== 'object' || input === null || input instanceof URL) return input;
  const file: unknown = (input as { readonly file?: unknown }).file;
  if (typeof file === 'string' && file !== '' && !file.includes('\0') && !isAbsolute(file)) return { ...input, file: resolve(file) };
  const destination: unknown = (input as { readonly destination?: unknown }).destination;
  if (typeof destination !== 'object' || destination === null) return input;
  const { path, directory } = destination as { readonly path?: unknown; readonly directory?: unknown };
  if (typeof path === 'string' && path !== '' && !isAbsolute(path)) return { ...input, destination: { ...destination, path: resolve(path) } };
  if (typeof directory === 'string' && directory !== '' && !isAbsolute(directory)) return { ...input, destination: { ...destination, directory: resolve(directory) } };
  return input;
}
