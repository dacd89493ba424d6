import * as t from 'io-ts';
import type { HeaderMap, HttpRequest } from '../model/http.js';
import { exactType } from './exact-codec.js';
import { httpMethod, httpUrl } from './primitives.js';
import { stringRecord } from './string-record-codec.js';
import type { Assert, Equals } from './type-equality.js';

/**
 * A stored header map: string names to string values. Deliberately no stricter than that: the
 * maps come from requests accepted at creation and from transports, and a stored record must not
 * be quarantined for a header its writer accepted.
 */
export const headerMapCodec = stringRecord(t.string, t.string, 'a header map');

/** A request as the core keeps it (`HttpRequest`). */
export const httpRequestCodec = exactType(
  {
    url: httpUrl,
    method: httpMethod,
    headers: headerMapCodec,
  },
  'an HTTP request',
);

type _HeaderMapMatches = Assert<Equals<t.TypeOf<typeof headerMapCodec>, HeaderMap>>;
type _HttpRequestMatches = Assert<Equals<t.TypeOf<typeof httpRequestCodec>, HttpRequest>>;
