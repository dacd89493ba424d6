import { describe, expect, it } from 'vitest';
import { createSigkillProbe, sigkillProbeFromEnvironment } from './sigkill-probe.js';

describe('createSigkillProbe', () => {
  it('kills at the n-th pass through its point only, and counts every point', () => {
    const kills: string[] = [];
    const probe = createSigkillProbe({ point: 'journal-append', pass: 2, kill: () => kills.push('killed') });
    probe.pass('journal-append');
    probe.pass('data-write');
    expect(kills).toEqual([]);
    probe.pass('journal-append');
    expect(kills).toEqual(['killed']);
    probe.pass('journal-append');
    expect(kills).toEqual(['killed']);
    expect(probe.counts()).toMatchObject({ 'journal-append': 3, 'data-write': 1, 'event-delivery': 0 });
  });

  it('refuses an unknown point or a pass below 1 with InvalidArgument', () => {
    expect(() => createSigkillProbe({ point: 'nowhere' as 'data-write', pass: 1 })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => createSigkillProbe({ point: 'data-write', pass: 0 })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});

describe('sigkillProbeFromEnvironment', () => {
  it('only counts when the variable is unset', () => {
    const probe = sigkillProbeFromEnvironment({});
    probe.pass('event-delivery');
    expect(probe.counts()['event-delivery']).toBe(1);
  });

  it('refuses a malformed value instead of running without the crash', () => {
    for (const value of ['data-write', 'data-write:x', 'elsewhere:3', 'data-write:3:4']) {
      expect(() => sigkillProbeFromEnvironment({ BGSESSION_CRASH_AT: value })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    }
  });
});
