import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../model/task-types.js';
import { createdTask, drive, ev, taskIn } from '../machines/task-fixtures.test-helpers.js';
import { decodeTaskRecord, encodeTaskRecord } from '../codecs/task-record-codec.js';
import { compactTaskRecord } from './compact-task-record.js';
import { RecordSharing } from './record-sharing.js';

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

  it('records decoded with one sharing share their equal parts, and stay equal to what was decoded', () => {
    const sharing = new RecordSharing();
    const records = [createdTask({ url: 'https://a.example/1' }), createdTask({ url: 'https://b.example/2' }), taskIn.backingOff()].map((record) => {
      // Decoded from text, as a relaunch reads them: nothing shared to begin with.
      const decoded = decodeTaskRecord(JSON.parse(JSON.stringify(encodeTaskRecord(record))));
      if (decoded._tag !== 'Right') throw new Error('does not decode');
      const compact = compactTaskRecord(decoded.right, sharing);
      expect(compact).toStrictEqual(decoded.right);
      return compact;
    });
    const [a, b, backingOff] = records as [TaskRecord, TaskRecord, TaskRecord];
    expect(a.options).toBe(b.options);
    expect(a.attempts).toBe(b.attempts);
    expect(a.progress).toBe(b.progress);
    expect(a.originalRequest.headers).toBe(b.originalRequest.headers);
    expect(a.originalRequest).not.toBe(b.originalRequest);
    expect(backingOff.attempts).not.toBe(a.attempts);
    expect(Object.isFrozen(a.options)).toBe(true);
  });
});
