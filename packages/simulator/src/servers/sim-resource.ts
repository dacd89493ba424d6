import type { Clock } from '@bgsession/core';
import type { SimContent } from './sim-content.js';

/** A file on a simulated server: its current version, which can change while clients fetch it. */
export interface SimResource {
  readonly path: string;
  /** The current version's bytes. */
  readonly content: SimContent;
  /** 1 for the first version, +1 at each update. */
  readonly version: number;
  /** When the current version was modified, wall-clock ms (sent as Last-Modified, whole seconds). */
  readonly modifiedAt: number;
  /** Replaces the content with a new version (by default `content.nextVersion()`), modified now. */
  update(content?: SimContent): void;
}

/**
 * Creates a {@link SimResource} whose first version was modified at `modifiedAt`.
 *
 * @example
 * ```ts
 * const resource = createSimResource('/a.bin', generatedContent({ seed: 1, length: 10 }), clock.now() - 86_400_000, clock);
 * resource.update(); // version 2, Last-Modified now
 * ```
 */
export function createSimResource(path: string, content: SimContent, modifiedAt: number, clock: Clock): SimResource {
  let current = content;
  let version = 1;
  let modified = modifiedAt;
  return {
    path,
    get content() {
      return current;
    },
    get version() {
      return version;
    },
    get modifiedAt() {
      return modified;
    },
    update(next) {
      current = next ?? current.nextVersion();
      version += 1;
      modified = clock.now();
    },
  };
}
