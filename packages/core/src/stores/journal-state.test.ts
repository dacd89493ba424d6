import { describe, expect, it } from 'vitest';
import { JournalState } from './journal-state.js';

describe('JournalState.contents', () => {
  it('#17 a record whose text is not JSON is reported as CorruptRecord and left out; the others read back', () => {
    const state = new JournalState();
    state.apply({
      headerText: '{"identifier":"photos"}',
      entries: [
        { type: 'put', collection: 'tasks', key: '1', text: '{"phase":"scheduled"}' },
        { type: 'put', collection: 'tasks', key: '2', text: '{"phase":' },
        { type: 'put', collection: 'outbox', key: '1', text: '{"eventId":"e"}' },
      ],
    });
    const contents = state.contents([]);
    expect(contents.header).toEqual({ identifier: 'photos' });
    expect(Object.fromEntries(contents.records.get('tasks') ?? [])).toEqual({ '1': { phase: 'scheduled' } });
    expect(contents.records.get('tasks')?.has('2')).toBe(false);
    expect(Object.fromEntries(contents.records.get('outbox') ?? [])).toEqual({ '1': { eventId: 'e' } });
    expect(contents.problems).toEqual([{ code: 'CorruptRecord', path: 'tasks/2', message: 'The record tasks/2 is not valid JSON.', collection: 'tasks', key: '2' }]);
  });

  it('hands out the records of the moment: later writes do not change contents already handed out', () => {
    const state = new JournalState();
    state.apply({ headerText: undefined, entries: [{ type: 'put', collection: 'tasks', key: '1', text: '{"v":1}' }] });
    const before = state.contents([]);
    state.apply({
      headerText: undefined,
      entries: [
        { type: 'delete', collection: 'tasks', key: '1' },
        { type: 'put', collection: 'tasks', key: '2', text: '{"v":2}' },
      ],
    });
    expect(Object.fromEntries(before.records.get('tasks') ?? [])).toEqual({ '1': { v: 1 } });
    expect(Object.fromEntries(state.contents([]).records.get('tasks') ?? [])).toEqual({ '2': { v: 2 } });
  });
});
