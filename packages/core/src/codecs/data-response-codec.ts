import type * as t from 'io-ts';
import type { DataResponse } from '../model/task-types.js';
import { exactType } from './exact-codec.js';
import { headerMapCodec } from './http-request-codec.js';
import { httpStatus, nonEmptyString, nonNegativeSafeInteger } from './primitives.js';
import type { Assert, Equals } from './type-equality.js';

/** A data task's response, kept until delivery (`DataResponse`). */
export const dataResponseCodec = exactType(
  {
    status: httpStatus,
    headers: headerMapCodec,
    bodyKey: nonEmptyString,
    bodyLength: nonNegativeSafeInteger,
  },
  'a data response',
);

type _DataResponseMatches = Assert<Equals<t.TypeOf<typeof dataResponseCodec>, DataResponse>>;
