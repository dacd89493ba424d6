import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOpenSessionOptions } from './open-session-options.js';

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
});
