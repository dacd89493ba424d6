import * as t from 'io-ts';
import { hasOwn, isPlainObject } from './plain-object.js';

/**
 * A union tagged on `type` (conventions.md): the tag picks the member, so a wrong value reports
 * only that member's errors, and an unknown tag is reported at `type`. `members` maps each tag to
 * the codec of its member, which must itself check `type` (e.g. `t.literal`).
 *
 * @example
 * ```ts
 * const shape = taggedUnion({ circle: exactType({ type: t.literal('circle'), r: t.number }, 'Circle') }, 'Shape');
 * shape.decode({ type: 'square' }); // Left: path 'type'
 * ```
 */
export function taggedUnion<M extends Readonly<Record<string, t.Mixed>>>(
  members: M,
  name: string,
): t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown> {
  type A = t.TypeOf<M[keyof M]>;
  type O = t.OutputOf<M[keyof M]>;
  const tags = Object.keys(members);
  const tagCodec = new t.Type<string, string, unknown>(
    `one of ${tags.map((tag) => JSON.stringify(tag)).join(', ')}`,
    (u): u is string => typeof u === 'string' && hasOwn(members, u),
    (u, c) => (typeof u === 'string' && hasOwn(members, u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );
  const memberOf = (u: unknown): t.Mixed | undefined => {
    if (!isPlainObject(u) || !hasOwn(u, 'type')) return undefined;
    const tag = u['type'];
    return typeof tag === 'string' && hasOwn(members, tag) ? members[tag] : undefined;
  };
  return new t.Type<A, O, unknown>(
    name,
    (u): u is A => memberOf(u)?.is(u) === true,
    (u, c) => {
      if (!isPlainObject(u)) return t.failure(u, c);
      const member = memberOf(u);
      if (member === undefined) {
        const tag = hasOwn(u, 'type') ? u['type'] : undefined;
        return t.failure(tag, t.appendContext(c, 'type', tagCodec, tag));
      }
      return member.validate(u, c) as t.Validation<A>;
    },
    (a) => {
      const member = memberOf(a);
      // Unreachable for a well-typed value; encoding never throws.
      return (member === undefined ? a : member.encode(a)) as O;
    },
  );
}
