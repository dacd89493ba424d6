import { describe, expect, it } from 'vitest';
import { ParsedOnReadMap } from './parsed-on-read-map.js';

describe('ParsedOnReadMap', () => {
  const texts: ReadonlyArray<readonly [string, string]> = [
    ['1', '{"phase":"scheduled","request":{"url":"https://a.example/1"}}'],
    ['2', '[1,2,3]'],
    ['3', '"text"'],
  ];

  it('reads like a Map of the parsed values, in the order given', () => {
    const map = new ParsedOnReadMap(texts);
    expect(map).toBeInstanceOf(Map);
    expect(map.size).toBe(3);
    expect(map.has('2')).toBe(true);
    expect(map.get('4')).toBeUndefined();
    expect([...map.keys()]).toEqual(['1', '2', '3']);
    expect(Object.fromEntries(map)).toEqual({ '1': { phase: 'scheduled', request: { url: 'https://a.example/1' } }, '2': [1, 2, 3], '3': 'text' });
    expect([...map.values()]).toEqual([{ phase: 'scheduled', request: { url: 'https://a.example/1' } }, [1, 2, 3], 'text']);
    const seen: Array<[string, unknown]> = [];
    map.forEach((value, key) => seen.push([key, value]));
    expect(seen).toEqual([...map.entries()]);
  });

  it('hands out a value of its own at every read, so no reader can change what another reads', () => {
    const map = new ParsedOnReadMap(texts);
    const first = map.get('1') as { phase: string };
    first.phase = 'changed';
    expect(map.get('1')).toEqual({ phase: 'scheduled', request: { url: 'https://a.example/1' } });
    expect(map.get('1')).not.toBe(map.get('1'));
  });

  it('refuses changes', () => {
    const map = new ParsedOnReadMap(texts);
    expect(() => map.set()).toThrow(TypeError);
    expect(() => map.delete()).toThrow(TypeError);
    expect(() => map.clear()).toThrow(TypeError);
    expect(map.size).toBe(3);
  });
});
