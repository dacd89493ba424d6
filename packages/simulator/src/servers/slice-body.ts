import type { BodySource } from './body-source.js';
import { emptyBody } from './bytes-body.js';
import { clampOffset } from './clamp-offset.js';

/**
 * The bytes `start`..`end` (exclusive) of `source`, as a source of its own (what a 206 sends).
 *
 * @example
 * ```ts
 * const tail = sliceBody(bytesBody('0123456789'), 4, 10);
 * new TextDecoder().decode(tail.read(0, 6)); // '456789'
 * ```
 */
export function sliceBody(source: BodySource, start: number, end: number): BodySource {
  const first = clampOffset(start, source.length);
  const length = clampOffset(end, source.length) - first;
  if (length <= 0) return emptyBody;
  const window = (offset: number, size: number): [number, number] => {
    const from = clampOffset(offset, length);
    return [first + from, clampOffset(from + Math.max(0, size), length) - from];
  };
  const slice: BodySource = { length, read: (offset, size) => source.read(...window(offset, size)) };
  const view = source.view;
  return view === undefined ? slice : { ...slice, view: (offset, size) => view.apply(source, window(offset, size)) };
}
