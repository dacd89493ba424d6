/**
 * The invariants of the design's invariants.md, by number, as the sentences property tests
 * state in their names.
 */
export const invariantSentences = {
  1: 'no task is lost',
  2: 'one end, acknowledged once',
  3: 'durable before visible',
  4: 'completed is final',
  5: 'task identifiers are never reused',
  6: 'what is delivered is what the server had',
  7: 'kept bytes are not fetched again',
  8: 'Range only with a strong validator',
  9: 'no partial file is ever delivered',
  10: 'retries follow the policy',
  11: 'timeouts hold',
  12: 'due times survive',
  13: 'only what may be retried is retried',
  14: 'limits hold',
  15: 'constraints hold',
  16: 'no starvation',
  17: 'decode, never crash',
  18: 'crash consistency',
  19: 'round trip',
  20: 'no write where the app did not ask',
  21: 'credentials stay where they belong',
} as const;

/** An invariant's number. */
export type InvariantNumber = keyof typeof invariantSentences;

/** `#2 one end, acknowledged once`: how a test names the invariant it checks. */
export function invariantTitle(number: InvariantNumber): string {
  return `#${number} ${invariantSentences[number]}`;
}

/** One way a run broke an invariant, said so a reader can find it in the trace. */
export interface Violation {
  readonly invariant: InvariantNumber;
  readonly message: string;
}
