/**
 * A read-only map of JSON texts that hands out each value parsed afresh at every read. A journal's
 * contents are handed out this way: the store keeps every record's text anyway, so a caller that
 * decodes one record at a time holds one parsed value at a time, never 100,000 of them for the
 * length of an open (B5), and no caller ever holds a reference into another's values. Every text
 * must be valid JSON (the store leaves out, and reports, those that are not). It is a `Map` for
 * `instanceof` and iteration; changing it throws.
 *
 * @example
 * ```ts
 * const records = new ParsedOnReadMap([['1', '{"a":1}']]);
 * records.get('1'); // { a: 1 }, a new object at every call
 * ```
 */
export class ParsedOnReadMap extends Map<string, unknown> {
  constructor(texts: Iterable<readonly [string, string]> = []) {
    super();
    for (const [key, text] of texts) Map.prototype.set.call(this, key, text);
  }

  /**
   * A map filled by `fill`, which calls `add` once per record: for a caller that checks each text
   * as it goes, without an array or an iterator of them in between (110,000 at a relaunch, B5).
   */
  static filled(fill: (add: (key: string, text: string) => void) => void): ParsedOnReadMap {
    const map = new ParsedOnReadMap();
    fill((key, text) => void Map.prototype.set.call(map, key, text));
    return map;
  }

  override get(key: string): unknown {
    const text = super.get(key) as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  override set(): this {
    throw new TypeError('The store contents are read-only.');
  }

  override delete(): boolean {
    throw new TypeError('The store contents are read-only.');
  }

  override clear(): void {
    throw new TypeError('The store contents are read-only.');
  }

  override forEach(callback: (value: unknown, key: string, map: Map<string, unknown>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  override *entries(): MapIterator<[string, unknown]> {
    for (const [key, text] of super.entries()) yield [key, JSON.parse(text as string) as unknown];
  }

  override *values(): MapIterator<unknown> {
    for (const text of super.values()) yield JSON.parse(text as string) as unknown;
  }

  override [Symbol.iterator](): MapIterator<[string, unknown]> {
    return this.entries();
  }
}
