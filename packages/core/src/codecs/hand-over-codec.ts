import type * as t from 'io-ts';
import type { HandOver } from '../model/task-types.js';
import { exactType } from './exact-codec.js';
import { nullable } from './nullable-codec.js';
import { integrity, nonEmptyString, nonNegativeSafeInteger } from './primitives.js';
import type { Assert, Equals } from './type-equality.js';

/** The durable hand-over step (`HandOver`): size and hash recorded before the rename. */
export const handOverCodec = exactType(
  {
    size: nonNegativeSafeInteger,
    hash: nullable(integrity),
    target: nonEmptyString,
  },
  'a hand-over',
);

type _HandOverMatches = Assert<Equals<t.TypeOf<typeof handOverCodec>, HandOver>>;
