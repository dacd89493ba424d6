import { describe, expect, it } from 'vitest';
import { responseHeaderMap } from './response-header-map.js';

describe('responseHeaderMap', () => {
  it('keeps every header name as sent, those of Object.prototype included', () => {
    // As undici hands them over: own properties, `__proto__` defined rather than assigned.
    const fromUndici: Record<string, string | string[]> = { 'content-length': '5', constructor: 'x', tostring: 'y', valueOf: 'w', hasownproperty: ['a', 'b'] };
    Object.defineProperty(fromUndici, '__proto__', { value: 'z', enumerable: true, configurable: true, writable: true });
    const map = responseHeaderMap(fromUndici);
    expect(Object.entries(map).sort()).toEqual(
      [
        ['content-length', '5'],
        ['constructor', 'x'],
        ['tostring', 'y'],
        ['valueof', 'w'],
        ['hasownproperty', 'a, b'],
        ['__proto__', 'z'],
      ].sort(),
    );
    expect(map['constructor']).toBe('x');
    expect(map['__proto__']).toBe('z');
    // A plain object, as headers read back from the store are: an app may call its methods.
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(map, 'content-length')).toBe(true);
    expect(`${String(map.toString)}`).toContain('[native code]');
  });

  it('joins a name undici gave twice under different cases', () => {
    expect(responseHeaderMap({ 'x-a': '1', 'X-A': '2' })['x-a']).toBe('1, 2');
  });

  it('reads Location and Content-Disposition sent as raw UTF-8 as UTF-8, and only those', () => {
    // What undici hands over for UTF-8 bytes on the wire: each byte as one Latin-1 character.
    const latin1 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
    const map = responseHeaderMap({ location: latin1('/café'), 'content-disposition': [latin1('attachment; filename="résumé.pdf"')], 'x-title': latin1('é') });
    expect(map['location']).toBe('/café');
    expect(map['content-disposition']).toBe('attachment; filename="résumé.pdf"');
    expect(map['x-title']).toBe('Ã©');
  });

  it('keeps a Location that is not valid UTF-8 as Latin-1', () => {
    // 0xE9 alone is "é" in Latin-1 and no UTF-8 sequence.
    expect(responseHeaderMap({ location: '/caf\u00e9' })['location']).toBe('/caf\u00e9');
    expect(responseHeaderMap({ location: '/\u00c3(' })['location']).toBe('/\u00c3(');
  });
});
