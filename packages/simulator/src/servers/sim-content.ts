import type { BodySource } from './body-source.js';

/**
 * One version of what a simulated server holds at a path: bytes read lazily, a tag naming the
 * version (the opaque part of its ETag) and a way to make the next version.
 */
export interface SimContent extends BodySource {
  /** Names this version; only letters, digits, `-` and `.`, so it fits in an ETag as is. */
  readonly tag: string;
  /** Another version of the same length whose bytes differ (a file changed on the server). */
  nextVersion(): SimContent;
}
