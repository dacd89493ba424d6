/** A streaming SHA-256. */
export interface HashState {
  update(bytes: Uint8Array): void;
  /** The digest as `sha256-<base64>` (Subresource Integrity form). Ends the state. */
  digest(): string;
}

/**
 * Creates streaming hashes. Guarantees: `digest()` equals the SHA-256 of every byte given to
 * `update`, in order, whatever the chunking.
 */
export interface Hasher {
  create(): HashState;
}
