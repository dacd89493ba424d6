/**
 * Randomness, so the simulator can replay every draw.
 *
 * Guarantees: `next()` is in [0, 1); `id()` is 128 random bits as 32 lower-case hex digits, from a
 * cryptographic source in production adapters.
 */
export interface Random {
  next(): number;
  id(): string;
}
