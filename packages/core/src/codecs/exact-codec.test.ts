import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { toDecodeFailure } from './decode-error.js';
import { exactPartial, exactShape, exactType } from './exact-codec.js';
import { decodeTaskRecord } from './task-record-codec.js';

const inner = exactType({ a: t.number }, 'an inner object');
const outer = exactShape(
  { name: t.string, inner },
  { note: t.string, patch: exactPartial({ b: t.boolean }, 'a patch') },
  'an outer object',
);

function failurePath(input: unknown): string {
  const result = outer.decode(input);
  if (E.isRight(result)) throw new Error('expected a failure');
  return toDecodeFailure(result.left).path;
}

describe('exact codecs', () => {
  it('decodes exactly the declared keys', () => {
    expect(outer.decode({ name: 'x', inner: { a: 1 }, note: 'n' })).toEqual(E.right({ name: 'x', inner: { a: 1 }, note: 'n' }));
  });

  it('rejects an unknown key, naming it, at every level', () => {
    expect(failurePath({ name: 'x', inner: { a: 1 }, extra: 1 })).toBe('extra');
    expect(failurePath({ name: 'x', inner: { a: 1, extra: 1 } })).toBe('inner.extra');
    expect(failurePath({ name: 'x', inner: { a: 1 }, patch: { c: 1 } })).toBe('patch.c');
  });

  it('treats an own __proto__ key as an unknown key and never as a prototype', () => {
    expect(failurePath(JSON.parse('{"name":"x","inner":{"a":1},"__proto__":{"note":"polluted"}}'))).toBe('__proto__');
    expect(failurePath(JSON.parse('{"name":"x","inner":{"a":1,"__proto__":{"a":2}}}'))).toBe('inner.__proto__');
  });

  it('does not read declared keys from the prototype', () => {
    const withInherited = Object.assign(Object.create({ name: 'inherited' }) as object, { inner: { a: 1 } });
    expect(E.isLeft(outer.decode(withInherited))).toBe(true);
    const value = Object.assign(Object.create(null) as object, { name: 'x', inner: { a: 1 } });
    expect(outer.decode(value)).toEqual(E.right({ name: 'x', inner: { a: 1 } }));
  });

  it('refuses values that are not plain objects', () => {
    for (const value of [null, [], new Map(), new Date(0), 'x', 1, () => undefined]) {
      expect(failurePath(value)).toBe('');
    }
  });

  it('reads an optional key given as undefined as absent', () => {
    const result = outer.decode({ name: 'x', inner: { a: 1 }, note: undefined });
    expect(result).toEqual(E.right({ name: 'x', inner: { a: 1 } }));
    expect(E.isRight(result) && 'note' in result.right).toBe(false);
  });

  it('encodes only the declared keys, so stray runtime fields are never stored', () => {
    const value = { name: 'x', inner: { a: 1, stray: true }, extra: 2 } as unknown as t.TypeOf<typeof outer>;
    expect(outer.encode(value)).toEqual({ name: 'x', inner: { a: 1 } });
  });

  it('stops at the first of many unknown keys', () => {
    const many = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const result = outer.decode(many);
    expect(E.isLeft(result) && result.left.length).toBe(1);
  });

  it('survives deep nesting and huge strings in a stored record', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const huge = 'x'.repeat(10_000_000);
    for (const raw of [deep, { schemaVersion: 1, taskIdentifier: deep }, { schemaVersion: 1, taskKey: huge }, { [huge]: 1 }]) {
      const result = decodeTaskRecord(raw, 'tasks/1');
      expect(E.isLeft(result)).toBe(true);
      expect(E.isLeft(result) && result.left.message.length).toBeLessThan(500);
    }
  });
});
