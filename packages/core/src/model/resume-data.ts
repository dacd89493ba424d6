import type { HttpRequest, Validator } from './http.js';

/**
 * What `cancelProducingResumeData()` returns (decoded form). The app holds it as an opaque string
 * and passes it to `session.download(resumeData)`; it never contains sensitive headers unless the
 * app opted in.
 */
export interface ResumeData {
  readonly version: 2;
  /** The session that owns the bytes. */
  readonly sessionIdentifier: string;
  readonly originalUrl: string;
  readonly currentRequest: HttpRequest;
  readonly validator: Validator | null;
  readonly bytesKept: number;
  readonly expectedLength: number | null;
  /** ByteStore key of the kept bytes. */
  readonly partKey: string;
  /** Boot identity when the bytes were synced. */
  readonly bootIdentity: string;
  /** Wall-clock instant after which the bytes may be deleted, ms. */
  readonly expiresAt: number;
  /**
   * The names (never the values) of the sensitive headers the download was sent with: the task made
   * from this resume data needs them again, from the app's `credentials` callback or its `headers`.
   */
  readonly credentialHeaders: readonly string[];
}

/** The store's reference to bytes owned by resume data, so they are deleted when they expire. */
export interface ResumeDataReference {
  readonly partKey: string;
  readonly expiresAt: number;
  readonly bytesKept: number;
}
