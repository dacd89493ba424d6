import { BgSessionError } from '../errors/bg-session-error.js';
import { sessionListenerKeys, type HostOptions } from './session-types.js';

const hostOptionKeys = new Set(['listener', 'durability', 'credentials']);

const invalid = (field: string, message: string) =>
  new BgSessionError('InvalidConfiguration', `Invalid host options: ${field}: ${message}`, { field });

/**
 * Checks the host options given at open. A misspelt key (`listner`) is `InvalidConfiguration`
 * naming it: ignored silently, it would leave the app without its events and no clue why. A
 * listener handler that is not a function is refused the same way.
 *
 * @example
 * ```ts
 * checkHostOptions({ durability: 'relaxed' }); // { durability: 'relaxed' }
 * checkHostOptions({ listner: {} }); // throws InvalidConfiguration, field 'listner'
 * ```
 */
export function checkHostOptions(value: unknown): HostOptions {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('hostOptions', 'expected an object');
  const options = value as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(options)) if (!hostOptionKeys.has(key)) throw invalid(key, 'unknown host option');
  const { durability, credentials, listener } = options;
  if (durability !== undefined && durability !== 'strict' && durability !== 'relaxed') throw invalid('durability', "expected 'strict' or 'relaxed'");
  if (credentials !== undefined && typeof credentials !== 'function') throw invalid('credentials', 'expected a function');
  if (listener !== undefined) {
    if (typeof listener !== 'object' || listener === null || Array.isArray(listener)) throw invalid('listener', 'expected an object of handlers');
    // Other keys are allowed: a delegate object may keep its own state. Handlers are read through
    // the prototype too, so a class instance works.
    for (const key of sessionListenerKeys) {
      const handler = (listener as Readonly<Record<string, unknown>>)[key];
      if (handler !== undefined && typeof handler !== 'function') throw invalid(`listener.${key}`, 'expected a function');
    }
  }
  return options as HostOptions;
}
