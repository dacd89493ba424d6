import { describe, expect, it } from 'vitest';
import { createdTask, drive, ev, taskIn } from '../machines/task-fixtures.test-helpers.js';
import { decodeTaskRecord, encodeTaskRecord } from '../codecs/task-record-codec.js';
import { compactTaskRecord } from './compact-task-record.js';

describe('compactTaskRecord', () => {
  it('keeps every field of a decoded record, and nothing else', () => {
    for (const record of [createdTask(), taskIn.backingOff(), drive(taskIn.transferring(), [ev.bytesDurable(100)]).record]) {
      const decoded = decodeTaskRecord(encodeTaskRecord(record));
      expect(decoded._tag).toBe('Right');
      if (decoded._tag !== 'Right') continue;
      const compact = compactTaskRecord(decoded.right);
      expect(compact).toStrictEqual(decoded.right);
      expect(Object.keys(compact).sort()).toEqual(Object.keys(record).sort());
      expect(compact.currentRequest).toBe(compact.originalRequest);
    }
  });

  it('keeps a current request that a redirect made differ from the original', () => {
    const redirected = drive(taskIn.connecting(), [ev.redirected({ url: 'https://mirror.example.test/file', method: 'GET', headers: {} })]).record;
    const decoded = decodeTaskRecord(encodeTaskRecord(redirected));
    expect(decoded._tag).toBe('Right');
    if (decoded._tag !== 'Right') return;
    const compact = compactTaskRecord(decoded.right);
    expect(compact.currentRequest).toEqual(redirected.currentRequest);
    expect(compact.currentRequest).not.toEqual(compact.originalRequest);
  });
});
