import fc from 'fast-check';

/**
 * The seed every property test starts from in a default run, so a commit's test run is the same
 * run on every machine and a green CI stays green (ADR 24).
 */
export const defaultPropertySeed = 20_261_126;

/**
 * The fast-check seed a test run uses: `BGSESSION_PROPERTY_SEED` when set (a number, or `random`),
 * else {@link defaultPropertySeed} for the default run and a fresh one for a long run
 * (`BGSESSION_PROPERTY_RUNS` set), which is there to explore. Undefined means fast-check's own
 * random seed. A bad value is an error, not a silent random run.
 *
 * @example
 * ```ts
 * propertySeed({}); // 20261126
 * propertySeed({ BGSESSION_PROPERTY_RUNS: '300' }); // undefined: a random seed
 * propertySeed({ BGSESSION_PROPERTY_SEED: '815402358' }); // 815402358, to replay a failure
 * ```
 */
export function propertySeed(environment: Readonly<Record<string, string | undefined>>): number | undefined {
  const chosen = environment['BGSESSION_PROPERTY_SEED'];
  if (chosen === undefined || chosen === '') return environment['BGSESSION_PROPERTY_RUNS'] === undefined ? defaultPropertySeed : undefined;
  if (chosen === 'random') return undefined;
  const seed = Number(chosen);
  // fast-check takes any 32-bit integer; a failure prints its seed in that range.
  if (!Number.isSafeInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32) {
    throw new Error(`BGSESSION_PROPERTY_SEED must be an integer seed as fast-check prints it, or "random"; got ${JSON.stringify(chosen)}`);
  }
  return seed;
}

const seed = propertySeed(process.env);
if (seed !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
