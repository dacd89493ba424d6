import * as t from 'io-ts';
import type { Validator } from '../model/http.js';
import { exactType } from './exact-codec.js';
import { taggedUnion } from './tagged-union-codec.js';
import type { Assert, Equals } from './type-equality.js';

/** A cache validator (`Validator`): a strong or weak ETag, or a Last-Modified date. */
export const validatorCodec = taggedUnion(
  {
    etag: exactType({ type: t.literal('etag'), value: t.string, weak: t.boolean }, 'an ETag validator'),
    lastModified: exactType(
      { type: t.literal('lastModified'), value: t.string, strong: t.boolean },
      'a Last-Modified validator',
    ),
  },
  'a validator',
);

type _ValidatorMatches = Assert<Equals<t.TypeOf<typeof validatorCodec>, Validator>>;
