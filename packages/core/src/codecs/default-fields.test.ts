import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { defaultConfiguration } from '../model/configuration.js';
import { newTaskRecord } from '../machines/new-task-record.js';
import { omitDefaults, withDefaults } from './default-fields.js';
import { decodeTaskRecord, encodeTaskRecord } from './task-record-codec.js';

const { timeoutForRequest, timeoutForResource, allowsExpensiveNetwork, allowsConstrainedNetwork, discretionary, maxDataTaskBytes } = defaultConfiguration;
const queued = newTaskRecord({
  taskIdentifier: 42,
  kind: 'download',
  request: { url: 'https://h1.example/f1', method: 'GET', headers: {} },
  options: {
    timeoutForRequest, timeoutForResource, allowsExpensiveNetwork, allowsConstrainedNetwork, discretionary, maxDataTaskBytes,
    priority: 0.5, idempotent: true, integrity: null, earliestBeginDate: null,
    countOfBytesClientExpectsToSend: null, countOfBytesClientExpectsToReceive: null, destination: null,
  },
  createdAt: 1_700_000_000_000,
  taskKey: null,
  taskDescription: null,
  body: null,
});

describe('stored task records leave out their defaults', () => {
  it('a queued download is stored in a few hundred characters and decodes back to itself', () => {
    const stored = JSON.stringify(encodeTaskRecord(queued));
    expect(stored.length).toBeLessThan(300);
    expect(decodeTaskRecord(JSON.parse(stored))).toStrictEqual(E.right(queued));
  });

  it('a record that lost a field without a default (its phase) is still CorruptRecord naming it', () => {
    const { phase: _phase, ...rest } = encodeTaskRecord(queued);
    const result = decodeTaskRecord(rest, 'tasks/42');
    expect(E.isLeft(result) && result.left).toMatchObject({ code: 'CorruptRecord', path: 'tasks/42.phase' });
  });

  it('omitDefaults and withDefaults undo each other, nested objects included', () => {
    const defaults = { b: null, c: { d: 0, f: false } };
    const value = { a: 1, b: null, c: { d: 0, e: 2, f: true } };
    const compact = omitDefaults(value, defaults);
    expect(compact).toEqual({ a: 1, c: { e: 2, f: true } });
    expect(withDefaults(compact, defaults)).toEqual(value);
    expect(withDefaults('not an object', defaults)).toBe('not an object');
  });
});
