import { defaultConfiguration, encodeTaskRecord, newTaskRecord } from '@bgsession/core';
import { describe, expect, it } from 'vitest';
import { committedTaskFields } from './committed-task-fields.js';

describe('committedTaskFields', () => {
  it('reads the identifier, phase, checkpoint, due time, last restart reason and part key of a record as the shipped encoder writes it, and refuses what is not one', () => {
    const { timeoutForRequest, timeoutForResource, allowsExpensiveNetwork, allowsConstrainedNetwork, discretionary, maxDataTaskBytes } = defaultConfiguration;
    const record = newTaskRecord({
      taskIdentifier: 7,
      kind: 'download',
      request: { url: 'https://example.test/a', method: 'GET', headers: {} },
      options: {
        timeoutForRequest, timeoutForResource, allowsExpensiveNetwork, allowsConstrainedNetwork, discretionary, maxDataTaskBytes,
        priority: 0.5, idempotent: true, integrity: null, earliestBeginDate: null,
        countOfBytesClientExpectsToSend: null, countOfBytesClientExpectsToReceive: null, destination: null,
      },
      createdAt: 1_000,
      taskKey: null,
      taskDescription: null,
      body: null,
    });
    expect(committedTaskFields(encodeTaskRecord(record))).toEqual({ taskIdentifier: 7, phase: record.phase, checkpoint: null, dueAt: null, restart: null, partKey: 'part-7' });
    const later = { ...record, phase: 'backingOff' as const, dueAt: 5_000, checkpoint: { offset: 4096, validator: null, expectedLength: null, bootIdentity: 'b' }, lastRestart: 'ServerIgnoredRange' as const };
    expect(committedTaskFields(encodeTaskRecord(later))).toEqual({ taskIdentifier: 7, phase: 'backingOff', checkpoint: 4096, dueAt: 5_000, restart: 'ServerIgnoredRange', partKey: 'part-7' });
    expect(committedTaskFields(encodeTaskRecord({ ...later, partKey: 'part-3' }))).toMatchObject({ partKey: 'part-3' });
    expect(committedTaskFields({ taskIdentifier: 7, phase: 'running', lastRestart: 'Whim' })).toBeNull();
    expect(committedTaskFields({ taskIdentifier: 7, phase: 'sleeping' })).toBeNull();
    expect(committedTaskFields({ taskIdentifier: '7', phase: 'running' })).toBeNull();
    expect(committedTaskFields({ taskIdentifier: 7, phase: 'running', checkpoint: { offset: '1' } })).toBeNull();
    expect(committedTaskFields({ taskIdentifier: 7, phase: 'running', partKey: 7 })).toBeNull();
    expect(committedTaskFields(null)).toBeNull();
  });
});
