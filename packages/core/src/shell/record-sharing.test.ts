import { describe, expect, it } from 'vitest';
import { RecordSharing } from './record-sharing.js';

describe('RecordSharing', () => {
  it('hands out the first of deeply equal values of a kind, frozen; unequal values stay their own', () => {
    const sharing = new RecordSharing();
    const first = sharing.value('options', { priority: 0.5, destination: { type: 'directory', directory: '/d' }, tags: ['a'] });
    const again = sharing.value('options', { priority: 0.5, destination: { type: 'directory', directory: '/d' }, tags: ['a'] });
    const other = { priority: 0.5, destination: { type: 'directory', directory: '/e' }, tags: ['a'] };
    expect(again).toBe(first);
    expect(sharing.value('options', other)).toBe(other);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.destination)).toBe(true);
    expect(Object.isFrozen(first.tags)).toBe(true);
    // Kinds are apart: an equal value of another kind is not shared with this one.
    const headers = {};
    expect(sharing.value('headers', headers)).toBe(headers);
    expect(sharing.value('progress', { priority: 0.5 })).not.toBe(first);
    expect(sharing.value('error', null)).toBeNull();
  });

  it('keeps a few values of each kind: records that all differ cost comparisons, not memory', () => {
    const sharing = new RecordSharing();
    const values = Array.from({ length: 40 }, (_, i) => ({ path: `/files/${i}` }));
    for (const value of values) expect(sharing.value('options', value)).toBe(value);
    expect(sharing.value('options', { path: '/files/0' })).toBe(values[0]);
    const late = { path: '/files/39' };
    expect(sharing.value('options', late)).toBe(late);
  });
});
