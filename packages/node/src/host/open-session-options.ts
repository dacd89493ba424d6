import { resolve } from 'node:path';
import { BgSessionError, type HostOptions } from '@bgsession/core';
import type { NodeConnectivityOptions } from '../platform/node-connectivity.js';
import type { UndiciTransportOptions } from '../transport/undici-transport.js';
import type { OpenSessionOptions } from './open-session.js';
import { defaultSessionDirectory } from './session-directory.js';

/** Every key {@link OpenSessionOptions} has: any other is refused, never ignored. */
const optionKeys: ReadonlySet<string> = new Set<keyof OpenSessionOptions>(['identifier', 'directory', 'listener', 'durability', 'credentials', 'configuration', 'transport', 'connectivity', 'keepAlive', 'probe']);

/** The keys of `transport` and `connectivity`: a misspelt `ssrfGuard` must not open a session without the guard. */
const transportKeys: ReadonlySet<string> = new Set<keyof UndiciTransportOptions>(['rejectUnauthorized', 'ca', 'proxyFromEnvironment', 'ssrfGuard', 'userAgent', 'lookup', 'connectionsPerOrigin']);
const connectivityKeys: ReadonlySet<string> = new Set<keyof NodeConnectivityOptions>(['pollInterval', 'expensive', 'constrained', 'online', 'interfaces']);

const invalid = (field: string, message: string) => new BgSessionError('InvalidConfiguration', `openSession: ${field}: ${message}`, { field });

/** Options of `openSession` once checked. */
export interface CheckedOpenSessionOptions {
  readonly directory: string;
  readonly connectionsPerOrigin: number;
  readonly hostOptions: HostOptions;
}

/**
 * Checks the options of `openSession` before anything is opened: an unknown key, a missing
 * identifier, a directory that is not a path or an identifier inside `configuration` is
 * `InvalidConfiguration` naming the field. Resolves the directory (relative to the working
 * directory, or the default one) and the transport's connections per origin: at least the
 * configuration's `maxConnectionsPerHost` (default 6), since the scheduler is the only limiter.
 *
 * @example
 * ```ts
 * checkOpenSessionOptions({ identifier: 'app', directory: '/tmp/app', configuration: { maxConnectionsPerHost: 32 } });
 * // { directory: '/tmp/app', connectionsPerOrigin: 32, hostOptions: {} }
 * ```
 */
export function checkOpenSessionOptions(options: unknown): CheckedOpenSessionOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalid('options', 'expected an object');
  const given = options as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(given)) if (!optionKeys.has(key)) throw invalid(key, 'unknown option');
  const { identifier, directory, configuration, transport, keepAlive } = given;
  if (typeof identifier !== 'string' || identifier === '') throw invalid('identifier', 'expected a non-empty string');
  if (directory !== undefined && (typeof directory !== 'string' || directory === '' || directory.includes('\0'))) throw invalid('directory', 'expected a path');
  if (keepAlive !== undefined && typeof keepAlive !== 'boolean') throw invalid('keepAlive', 'expected a boolean');
  const probe = given['probe'] as { pass?: unknown } | undefined;
  if (probe !== undefined && (typeof probe !== 'object' || probe === null || typeof probe.pass !== 'function')) throw invalid('probe', 'expected an object with a pass function');
  if (configuration !== undefined && (typeof configuration !== 'object' || configuration === null || Array.isArray(configuration))) throw invalid('configuration', 'expected an object');
  // The identifier has its own option: a second one here could only disagree with it.
  if (configuration !== undefined && 'identifier' in configuration) throw invalid('configuration.identifier', 'give the identifier as the identifier option');
  if (transport !== undefined && (typeof transport !== 'object' || transport === null || Array.isArray(transport))) throw invalid('transport', 'expected an object');
  for (const key of Object.keys(transport ?? {})) if (!transportKeys.has(key)) throw invalid(`transport.${key}`, 'unknown option');
  const { connectivity } = given;
  if (connectivity !== undefined && (typeof connectivity !== 'object' || connectivity === null || Array.isArray(connectivity))) throw invalid('connectivity', 'expected an object');
  for (const key of Object.keys(connectivity ?? {})) if (!connectivityKeys.has(key)) throw invalid(`connectivity.${key}`, 'unknown option');
  const perHost = (configuration as { maxConnectionsPerHost?: unknown } | undefined)?.maxConnectionsPerHost;
  const requested = (transport as { connectionsPerOrigin?: unknown } | undefined)?.connectionsPerOrigin;
  // A bad value is left for the configuration's and the transport's own checks, which name it.
  const floor = typeof perHost === 'number' && Number.isSafeInteger(perHost) && perHost > 0 ? perHost : 6;
  let connectionsPerOrigin: number;
  if (requested === undefined) connectionsPerOrigin = Math.max(16, floor);
  else if (typeof requested === 'number' && Number.isSafeInteger(requested) && requested > 0) connectionsPerOrigin = Math.max(requested, floor);
  else connectionsPerOrigin = requested as number;
  const hostOptions: Record<string, unknown> = {};
  for (const key of ['listener', 'durability', 'credentials'] as const) if (given[key] !== undefined) hostOptions[key] = given[key];
  return {
    directory: typeof directory === 'string' ? resolve(directory) : defaultSessionDirectory(identifier),
    connectionsPerOrigin,
    hostOptions: hostOptions as HostOptions,
  };
}
