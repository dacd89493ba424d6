import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOpenSessionOptions } from './open-session-options.js';
import { openSession } from './open-session.js';

/** Transport and connectivity values of the wrong type, each with the field it must be refused under. */
const badValues: readonly (readonly [Readonly<Record<string, unknown>>, string])[] = [
  [{ transport: { ca: 5 } }, 'transport.ca'],
  [{ transport: { ca: {} } }, 'transport.ca'],
  [{ transport: { ca: ['-----BEGIN CERTIFICATE-----', 5] } }, 'transport.ca'],
  // A string is truthy: 'false' would turn the guard on, and `rejectUnauthorized: 'false'` off.
  [{ transport: { ssrfGuard: 'false' } }, 'transport.ssrfGuard'],
  [{ transport: { rejectUnauthorized: 'no' } }, 'transport.rejectUnauthorized'],
  [{ transport: { proxyFromEnvironment: 0 } }, 'transport.proxyFromEnvironment'],
  [{ transport: { userAgent: 5 } }, 'transport.userAgent'],
  [{ transport: { userAgent: 'app\r\nx-injected: 1' } }, 'transport.userAgent'],
  // Would open, then fail every task.
  [{ transport: { lookup: 'x' } }, 'transport.lookup'],
  [{ transport: { connectionsPerOrigin: '4' } }, 'transport.connectionsPerOrigin'],
  [{ transport: { connectionsPerOrigin: 0 } }, 'transport.connectionsPerOrigin'],
  [{ connectivity: { pollInterval: -1 } }, 'connectivity.pollInterval'],
  [{ connectivity: { pollInterval: '5000' } }, 'connectivity.pollInterval'],
  [{ connectivity: { expensive: 'yes' } }, 'connectivity.expensive'],
  [{ connectivity: { constrained: 1 } }, 'connectivity.constrained'],
  [{ connectivity: { online: 'true' } }, 'connectivity.online'],
  [{ connectivity: { interfaces: {} } }, 'connectivity.interfaces'],
];

describe('checkOpenSessionOptions', () => {
  it('sizes the transport pool at least to maxConnectionsPerHost', () => {
    expect(checkOpenSessionOptions({ identifier: 'a', directory: '/s' }).connectionsPerOrigin).toBe(16);
    expect(checkOpenSessionOptions({ identifier: 'a', directory: '/s', configuration: { maxConnectionsPerHost: 40 } }).connectionsPerOrigin).toBe(40);
    expect(checkOpenSessionOptions({ identifier: 'a', directory: '/s', configuration: { maxConnectionsPerHost: 8 }, transport: { connectionsPerOrigin: 2 } }).connectionsPerOrigin).toBe(8);
    expect(checkOpenSessionOptions({ identifier: 'a', directory: '/s', transport: { connectionsPerOrigin: 64 } }).connectionsPerOrigin).toBe(64);
  });

  it('passes host options on and resolves a relative directory', () => {
    const listener = {};
    const checked = checkOpenSessionOptions({ identifier: 'a', directory: 'rel', listener, durability: 'relaxed' });
    expect(checked.hostOptions).toEqual({ listener, durability: 'relaxed' });
    expect(checked.directory).toBe(resolve('rel'));
  });

  it.each([
    [null, 'options'],
    [{ identifier: 1 }, 'identifier'],
    [{ identifier: 'a', directory: '' }, 'directory'],
    [{ identifier: 'a', directory: 'a\0b' }, 'directory'],
    [{ identifier: 'a', keepAlive: 'yes' }, 'keepAlive'],
    [{ identifier: 'a', configuration: [] }, 'configuration'],
    [{ identifier: 'a', configuration: { identifier: 'b' } }, 'configuration.identifier'],
    [{ identifier: 'a', transport: 3 }, 'transport'],
    [{ identifier: 'a', listner: {} }, 'listner'],
    // A misspelt guard would open a session without it.
    [{ identifier: 'a', transport: { ssrfGaurd: true } }, 'transport.ssrfGaurd'],
    [{ identifier: 'a', connectivity: 'online' }, 'connectivity'],
    [{ identifier: 'a', connectivity: { onLine: true } }, 'connectivity.onLine'],
  ])('refuses %j with InvalidConfiguration naming %s', (options, field) => {
    expect(() => checkOpenSessionOptions(options)).toThrow(expect.objectContaining({ code: 'InvalidConfiguration', field }));
  });

  it.each(badValues)('refuses the value of %j with InvalidConfiguration naming %s and what it expected', (options, field) => {
    expect(() => checkOpenSessionOptions({ identifier: 'a', ...options })).toThrow(expect.objectContaining({ code: 'InvalidConfiguration', field, message: expect.stringMatching(/expected/) }));
  });

  it('accepts every documented kind of transport and connectivity value', () => {
    const options = {
      identifier: 'a',
      transport: { ca: ['pem'], rejectUnauthorized: false, proxyFromEnvironment: false, ssrfGuard: true, userAgent: null, lookup: () => undefined, connectionsPerOrigin: 4 },
      connectivity: { pollInterval: 100, expensive: true, constrained: false, online: null, interfaces: () => ({}) },
    };
    expect(() => checkOpenSessionOptions(options)).not.toThrow();
    expect(() => checkOpenSessionOptions({ identifier: 'a', transport: { ca: 'pem', userAgent: 'app/1' }, connectivity: { online: false } })).not.toThrow();
  });

  it('openSession refuses a bad transport or connectivity value with nothing left open: the next open succeeds', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bgsession-options-'));
    const directory = join(root, 'session');
    try {
      for (const [options, field] of badValues) {
        await expect(openSession({ identifier: 'a', directory, ...options })).rejects.toMatchObject({ name: 'BgSessionError', code: 'InvalidConfiguration', field });
      }
      const session = await openSession({ identifier: 'a', directory, connectivity: { online: true }, transport: { proxyFromEnvironment: false } });
      await session.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
