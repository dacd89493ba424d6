import * as t from 'io-ts';
import type { SessionConfigurationInput } from '../model/configuration.js';
import { configurationFieldRules, redirectPolicyRules, retryPolicyRules } from './configuration-codec.js';
import { exactPartial, exactShape } from './exact-codec.js';
import { headerName, headerValue, nonEmptyString } from './primitives.js';
import { stringRecord } from './string-record-codec.js';
import type { Assert, Equals } from './type-equality.js';

/**
 * What the app passes at open (`SessionConfigurationInput`): `identifier` and any subset of the
 * rest, nested policies partial too, header names in any case. Exact at every level: an unknown
 * key is an error naming it, never ignored.
 */
export const configurationInputCodec = exactShape(
  { identifier: nonEmptyString },
  {
    ...configurationFieldRules,
    additionalHeaders: stringRecord(headerName, headerValue, 'a header map'),
    redirect: exactPartial(redirectPolicyRules, 'a redirect policy'),
    retry: exactPartial(retryPolicyRules, 'a retry policy'),
    sensitiveHeaders: t.readonlyArray(headerName, 'a list of header names'),
  },
  'a session configuration',
);

type _ConfigurationInputMatches = Assert<Equals<t.TypeOf<typeof configurationInputCodec>, SessionConfigurationInput>>;
