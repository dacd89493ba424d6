import type { FileHandle } from '../ports/file-system.js';
import { valueTexts, type JournalBatch } from './journal-batch.js';
import { crc32 } from './journal-crc32.js';

/**
 * Where the records a journal state holds by place have their JSON text in the journal file
 * (ADR 29): for each span, `length` bytes from `start`, inside the values of one frame, whose
 * range and CRC-32 the table also keeps. A span is a number, its index here; the table is typed
 * arrays, off the JavaScript heap. 100,000 queued tasks' texts were 25 MiB of a relaunched
 * session's heap, kept only for the next compaction; an object per span, allocated among those
 * texts while the journal is replayed, kept their pages from being given back once they died.
 *
 * A span carries the text it was read with until `forgetTexts()`: the open hands those texts out,
 * then drops them. Afterwards a text is read from the file again when needed (`readSpans`).
 *
 * @example
 * ```ts
 * const table = new SpanTable();
 * const frame = table.addFrame(100, 140, 0x1234abcd);
 * const span = table.add(frame, 100, 20, '{"phase":"scheduled"}');
 * table.length(span); // 20
 * ```
 */
export class SpanTable {
  private starts = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private frameOf = new Uint32Array(1024);
  private texts: Array<string | null> = [];
  private free: number[] = [];
  private size = 0;
  private frameStarts = new Float64Array(64);
  private frameEnds = new Float64Array(64);
  private frameCrcs = new Uint32Array(64);
  private frames = 0;

  /** Adds a frame's values section (`start` to `end` in the file, and its CRC-32); returns its index. */
  addFrame(start: number, end: number, crc: number): number {
    if (this.frames === this.frameStarts.length) {
      this.frameStarts = grow(this.frameStarts);
      this.frameEnds = grow(this.frameEnds);
      this.frameCrcs = grow(this.frameCrcs);
    }
    this.frameStarts[this.frames] = start;
    this.frameEnds[this.frames] = end;
    this.frameCrcs[this.frames] = crc;
    return this.frames++;
  }

  /** Adds a span of `frame` and returns it; `text` is what was read there, or null. */
  add(frame: number, start: number, length: number, text: string | null): number {
    let span = this.free.pop();
    if (span === undefined) {
      span = this.size++;
      if (span === this.starts.length) {
        this.starts = grow(this.starts);
        this.lengths = grow(this.lengths);
        this.frameOf = grow(this.frameOf);
      }
    }
    this.starts[span] = start;
    this.lengths[span] = length;
    this.frameOf[span] = frame;
    this.texts[span] = text;
    return span;
  }

  /** Gives a span back (its record was replaced or deleted). */
  release(span: number): void {
    this.texts[span] = null;
    this.free.push(span);
  }

  /** The span's first byte in the file. */
  start(span: number): number {
    return this.starts[span] as number;
  }

  /** The span's length in bytes. */
  length(span: number): number {
    return this.lengths[span] as number;
  }

  /** The text the span was read with, until `forgetTexts`; null after. */
  text(span: number): string | null {
    return this.texts[span] ?? null;
  }

  /** Drops every text the spans carried: from now on they are read from the file. */
  forgetTexts(): void {
    this.texts = [];
  }

  /** The values range and CRC-32 of the span's frame. */
  frame(span: number): { readonly index: number; readonly start: number; readonly end: number; readonly crc: number } {
    const index = this.frameOf[span] as number;
    return { index, start: this.frameStarts[index] as number, end: this.frameEnds[index] as number, crc: this.frameCrcs[index] as number };
  }
}

function grow<T extends Float64Array | Uint32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** The text of each span asked for, or null where its frame's values no longer match their checksum. */
export type SpanTexts = ReadonlyMap<number, string | null>;

// Frames close to each other are read together, up to this many bytes at a time.
const readWindow = 8 * 1024 * 1024;
const mergeGap = 64 * 1024;
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads the texts of `spans` of `table` from the journal through `handle`. Each frame they lie in
 * is read whole and its values checked against the CRC-32 its header gave, so bytes that changed
 * on disk since they were first read are never taken for a record: such spans answer null. Frames
 * close together are read in one call.
 *
 * @example
 * ```ts
 * const texts = await readSpans(handle, table, [span]);
 * texts.get(span); // '{"phase":"scheduled",...}', or null when the frame was damaged since
 * ```
 */
export async function readSpans(handle: FileHandle, table: SpanTable, spans: Iterable<number>): Promise<SpanTexts> {
  const byFrame = new Map<number, number[]>();
  for (const span of spans) {
    const { index } = table.frame(span);
    const list = byFrame.get(index);
    if (list === undefined) byFrame.set(index, [span]);
    else list.push(span);
  }
  const frames = [...byFrame.values()].map((list) => table.frame(list[0] as number)).sort((a, b) => a.start - b.start);
  const texts = new Map<number, string | null>();
  let i = 0;
  while (i < frames.length) {
    const first = frames[i] as ReturnType<SpanTable['frame']>;
    let last = i;
    while (last + 1 < frames.length) {
      const next = frames[last + 1] as ReturnType<SpanTable['frame']>;
      if (next.start - (frames[last] as ReturnType<SpanTable['frame']>).end > mergeGap || next.end - first.start > readWindow) break;
      last += 1;
    }
    const windowEnd = (frames[last] as ReturnType<SpanTable['frame']>).end;
    const bytes = await readRange(handle, first.start, windowEnd - first.start);
    for (let f = i; f <= last; f += 1) {
      const frame = frames[f] as ReturnType<SpanTable['frame']>;
      const from = frame.start - first.start;
      const to = frame.end - first.start;
      const intact = to <= bytes.length && crc32(bytes, from, to) === frame.crc;
      for (const span of byFrame.get(frame.index) as number[]) {
        const at = table.start(span) - first.start;
        texts.set(span, intact ? decode(bytes.subarray(at, at + table.length(span))) : null);
      }
    }
    i = last + 1;
  }
  return texts;
}

async function readRange(handle: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  const first = await handle.read(offset, length);
  if (first.length >= length || first.length === 0) return first;
  // A short read: keep reading until the range is whole or the file ends.
  const bytes = new Uint8Array(length);
  bytes.set(first);
  let done = first.length;
  while (done < length) {
    const chunk = await handle.read(offset + done, length - done);
    if (chunk.length === 0) break;
    bytes.set(chunk.subarray(0, length - done), done);
    done += chunk.length;
  }
  return bytes.subarray(0, done);
}

function decode(bytes: Uint8Array): string | null {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The byte ranges of a frame's values, one per line (values are JSON texts separated by `\n`,
 * which no UTF-8 sequence contains inside a character), as `[start, end)` offsets into `bytes`.
 * `texts`, when given, are the lines as decoded: when they hold as many characters as there are
 * bytes, their lengths give the ranges without a scan.
 *
 * @example
 * ```ts
 * valueLines(new TextEncoder().encode('{"a":1}\n{}'), 0, 10); // [[0, 7], [8, 10]]
 * ```
 */
export function valueLines(bytes: Uint8Array, start: number, end: number, texts?: readonly string[]): Array<readonly [number, number]> {
  const lines: Array<readonly [number, number]> = [];
  let from = start;
  if (texts !== undefined && lineLength(texts) === end - start) {
    // As many bytes as characters: every character is ASCII, so the texts' lengths are the lines'
    // byte lengths, and no byte needs looking at (a relaunch reads 70 MiB of them, B5).
    for (const text of texts) {
      lines.push([from, from + text.length]);
      from += text.length + 1;
    }
    return lines;
  }
  for (;;) {
    const found = bytes.indexOf(10, from);
    const stop = found === -1 || found >= end ? end : found;
    lines.push([from, stop]);
    if (stop === end) return lines;
    from = stop + 1;
  }
}

function lineLength(texts: readonly string[]): number {
  let length = texts.length === 0 ? 0 : texts.length - 1;
  for (const text of texts) length += text.length;
  return length;
}

/**
 * The byte range `[start, end)` of each put's text in a frame's values (the values of `batch`, at
 * `start` to `end` of `bytes`), in the order of the batch's puts: where a replay or a compaction
 * holds those records from then on (ADR 29).
 *
 * @example
 * ```ts
 * putRanges({ headerText: '{"h":1}', entries: [put] }, bytes, 0, bytes.length); // [[8, 10]]
 * ```
 */
export function putRanges(batch: JournalBatch, bytes: Uint8Array, start: number, end: number): Array<readonly [number, number]> {
  const lines = valueLines(bytes, start, end, valueTexts(batch));
  const ranges: Array<readonly [number, number]> = [];
  // The header's text, when there is one, is the first line; a lost record has a line too.
  let line = batch.headerText === undefined ? 0 : 1;
  for (const entry of batch.entries) {
    if (entry.type === 'delete') continue;
    const range = lines[line++] as readonly [number, number];
    if (entry.type === 'put') ranges.push(range);
  }
  return ranges;
}
