import type * as t from 'io-ts';
import type { TaskProgress } from '../model/task-types.js';
import { exactType } from './exact-codec.js';
import { nonNegativeSafeInteger, progressCount } from './primitives.js';
import type { Assert, Equals } from './type-equality.js';

/** A task's progress counters (`TaskProgress`); expected counts are -1 while unknown. */
export const taskProgressCodec = exactType(
  {
    countOfBytesSent: nonNegativeSafeInteger,
    countOfBytesExpectedToSend: progressCount,
    countOfBytesReceived: nonNegativeSafeInteger,
    countOfBytesExpectedToReceive: progressCount,
  },
  'task progress',
);

type _TaskProgressMatches = Assert<Equals<t.TypeOf<typeof taskProgressCodec>, TaskProgress>>;
