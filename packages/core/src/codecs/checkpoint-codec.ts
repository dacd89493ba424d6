import * as t from 'io-ts';
import type { Checkpoint } from '../model/task-types.js';
import { exactType } from './exact-codec.js';
import { nullable } from './nullable-codec.js';
import { nonNegativeSafeInteger } from './primitives.js';
import { validatorCodec } from './validator-codec.js';
import type { Assert, Equals } from './type-equality.js';

/** A durable point of a download (`Checkpoint`). */
export const checkpointCodec = exactType(
  {
    offset: nonNegativeSafeInteger,
    validator: nullable(validatorCodec),
    expectedLength: nullable(nonNegativeSafeInteger),
    bootIdentity: t.string,
  },
  'a checkpoint',
);

type _CheckpointMatches = Assert<Equals<t.TypeOf<typeof checkpointCodec>, Checkpoint>>;
