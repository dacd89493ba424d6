import { resolve } from 'node:path';
import { BgSessionError, type HostOptions } from '@bgsession/core';
import type { NodeConnectivityOptions } from '../platform/node-connectivity.js';
import { undiciOptionProblem } from '../transport/undici-option-problem.js';
import type { OpenSessionOptions } from './open-session.js';
import { defaultSessionDirectory } from './session-directory.js';

/** Every key {@link OpenSessionOptions} has: any other is refused, never ignored. */
const optionKeys: ReadonlySet<string> = new Set<keyof OpenSessionOptions>(['identifier', 'directory', 'listener', 'durability', 'credentials', 'configuration', 'transport', 'connectivity', 'keepAlive', 'probe']);

/**
 * What each `connectivity` value must be, typed by its options so a new key needs a check here.
 * Checked here rather than left to `createNodeConnectivity`, whose error names `online` where the
 * app wrote `connectivity.online`, and comes after the directory was created.
 */
const connectivityChecks: { readonly [K in keyof Required<NodeConnectivityOptions>]: readonly [(value: unknown) => boolean, string] } = {
  pollInterval: [(value) => typeof value === 'number' && Number.isFinite(value) && value > 0, 'expected a positive number of ms'],
  expensive: [(value) => typeof value === 'boolean', 'expected a boolean'],
  constrained: [(value) => typeof value === 'boolean', 'expected a boolean'],
  online: [(value) => value === null || typeof value === 'boolean', 'expected a boolean, or null to read the interfaces'],
  interfaces: [(value) => typeof value === 'function', "expected a function like node:os's networkInterfaces"],
};

const invalid = (field: string, message: string) => new BgSessionError('InvalidConfiguration', `openSession: ${field}: ${message}`, { field });

/** Options of `openSession` once checked. */
export interface CheckedOpenSessionOptions {
  readonly directory: string;
  readonly connectionsPerOrigin: number;
  readonly hostOptions: HostOptions;
}

/**
 * Checks the options of `openSession` before anything is opened: an unknown key, a missing
 * identifier, a directory that is not a path, an identifier inside `configuration`, or a
 * `transport` or `connectivity` value of the wrong type is `InvalidConfiguration` naming the
 * field (`transport.ca`) and saying what was expected. Resolves the directory (relative to the working
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
  // A misspelt `ssrfGuard` must not open a session without the guard, nor `ssrfGuard: 'false'` one with it.
  const problem = transport === undefined ? null : undiciOptionProblem(transport as Readonly<Record<string, unknown>>);
  if (problem !== null) throw invalid(`transport.${problem.key}`, problem.message);
  checkConnectivity(given['connectivity']);
  const perHost = (configuration as { maxConnectionsPerHost?: unknown } | undefined)?.maxConnectionsPerHost;
  const requested = (transport as { connectionsPerOrigin?: number } | undefined)?.connectionsPerOrigin;
  // A bad maxConnectionsPerHost is left for the configuration's own check, which names it.
  const floor = typeof perHost === 'number' && Number.isSafeInteger(perHost) && perHost > 0 ? perHost : 6;
  const connectionsPerOrigin = Math.max(requested ?? 16, floor);
  const hostOptions: Record<string, unknown> = {};
  for (const key of ['listener', 'durability', 'credentials'] as const) if (given[key] !== undefined) hostOptions[key] = given[key];
  return {
    directory: typeof directory === 'string' ? resolve(directory) : defaultSessionDirectory(identifier),
    connectionsPerOrigin,
    hostOptions: hostOptions as HostOptions,
  };
}

function checkConnectivity(connectivity: unknown): void {
  if (connectivity === undefined) return;
  if (typeof connectivity !== 'object' || connectivity === null || Array.isArray(connectivity)) throw invalid('connectivity', 'expected an object');
  for (const [key, value] of Object.entries(connectivity)) {
    if (!Object.hasOwn(connectivityChecks, key)) throw invalid(`connectivity.${key}`, 'unknown option');
    const [valid, message] = connectivityChecks[key as keyof typeof connectivityChecks];
    if (value !== undefined && !valid(value)) throw invalid(`connectivity.${key}`, message);
  }
}
