import * as t from 'io-ts';
import type { AttemptAccount } from '../model/task-types.js';
import { exactType } from './exact-codec.js';
import { nonNegativeSafeInteger } from './primitives.js';
import type { Assert, Equals } from './type-equality.js';

/** A task's attempt accounting (`AttemptAccount`). */
export const attemptAccountCodec = exactType(
  {
    started: nonNegativeSafeInteger,
    spent: nonNegativeSafeInteger,
    backoffExponent: nonNegativeSafeInteger,
    restartsInARow: nonNegativeSafeInteger,
    staleRetryUsed: t.boolean,
    startRecorded: t.boolean,
    madeProgress: t.boolean,
  },
  'an attempt account',
);

type _AttemptAccountMatches = Assert<Equals<t.TypeOf<typeof attemptAccountCodec>, AttemptAccount>>;
