import fc from 'fast-check';

/**
 * `fc.record` with ordinary objects only: by default fast-check also makes objects with a null
 * prototype, which decoded values (ordinary objects) never strictly equal.
 *
 * @example
 * ```ts
 * const point = plainRecord({ x: fc.integer(), y: fc.integer() });
 * ```
 */
export function plainRecord<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}
