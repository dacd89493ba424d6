import { describe, expect, it } from 'vitest';
import { beyondLatin1, hasLineBreak, isToken } from './header-field.js';

describe('header fields', () => {
  it('a token is what a method or a header name may be, and nothing with a space, a colon or a non-ASCII letter', () => {
    for (const good of ['GET', 'X-Api-Key', "!#$%&'*+-.^_`|~09az"]) expect(isToken(good)).toBe(true);
    for (const bad of ['', 'x a', 'x:y', 'é', 'a\tb']) expect(isToken(bad)).toBe(false);
  });

  it('a value with CR, LF or NUL could smuggle a header; one beyond Latin-1 cannot be sent as it is', () => {
    expect(['a\rb', 'a\nb', 'a\0b'].map(hasLineBreak)).toEqual([true, true, true]);
    expect(hasLineBreak('Bearer x')).toBe(false);
    expect(beyondLatin1('Bearer €')).toBe(true);
    expect(beyondLatin1('caf\u00e9 \u00ff')).toBe(false);
  });
});
