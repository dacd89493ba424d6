import * as t from 'io-ts';
import type { BodySource } from '../model/task-types.js';
import { exactType } from './exact-codec.js';
import { nullable } from './nullable-codec.js';
import { finiteNumber, nonEmptyString, nonNegativeSafeInteger } from './primitives.js';
import type { Assert, Equals } from './type-equality.js';

/** The request body of an upload or data task (`BodySource`). */
export const bodySourceCodec = exactType(
  {
    ref: nonEmptyString,
    owned: t.boolean,
    size: nonNegativeSafeInteger,
    mtimeMs: nullable(finiteNumber),
    identity: nullable(t.string),
  },
  'a body source',
);

type _BodySourceMatches = Assert<Equals<t.TypeOf<typeof bodySourceCodec>, BodySource>>;
