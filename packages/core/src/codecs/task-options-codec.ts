import * as t from 'io-ts';
import type { Destination, TaskOptions } from '../model/task-types.js';
import { exactType } from './exact-codec.js';
import { nullable } from './nullable-codec.js';
import { oneOf } from './one-of-codec.js';
import {
  instant,
  integrity,
  nonEmptyString,
  nonNegativeSafeInteger,
  positiveDuration,
  positiveSafeInteger,
  unitInterval,
} from './primitives.js';
import { taggedUnion } from './tagged-union-codec.js';
import type { Assert, Equals } from './type-equality.js';

const ifExists = oneOf(['fail', 'replace', 'rename']);

/** Where a finished download goes (`Destination`). */
export const destinationCodec = taggedUnion(
  {
    path: exactType({ type: t.literal('path'), path: nonEmptyString, ifExists }, 'a destination path'),
    directory: exactType(
      { type: t.literal('directory'), directory: nonEmptyString, ifExists },
      'a destination directory',
    ),
  },
  'a destination',
);

/** A task's options, frozen at creation (`TaskOptions`). */
export const taskOptionsCodec = exactType(
  {
    timeoutForRequest: positiveDuration,
    timeoutForResource: positiveDuration,
    allowsExpensiveNetwork: t.boolean,
    allowsConstrainedNetwork: t.boolean,
    discretionary: t.boolean,
    priority: unitInterval,
    idempotent: t.boolean,
    integrity: nullable(integrity),
    earliestBeginDate: nullable(instant),
    countOfBytesClientExpectsToSend: nullable(nonNegativeSafeInteger),
    countOfBytesClientExpectsToReceive: nullable(nonNegativeSafeInteger),
    destination: nullable(destinationCodec),
    maxDataTaskBytes: positiveSafeInteger,
  },
  'task options',
);

type _DestinationMatches = Assert<Equals<t.TypeOf<typeof destinationCodec>, Destination>>;
type _TaskOptionsMatches = Assert<Equals<t.TypeOf<typeof taskOptionsCodec>, TaskOptions>>;
