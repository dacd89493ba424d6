import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreProblem } from '@bgsession/core';
import { expectRejection } from '@bgsession/testing';
import { createCleanup, openTestSession, recordEvents, scratchDirectory } from './hostile-servers.test-helpers.js';

// faults.md C19 on the real Node adapter: a journal written by a real session, damaged by hand
// (ADR 9's frame layout), then opened again with `openSession`.

/** One frame of the journal, as ADR 9 lays it out. */
interface Frame {
  readonly start: number;
  readonly version: number;
  readonly manifest: string;
  readonly values: string;
}

const frameHeaderLength = 29;

function readFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  for (let p = 0; p < bytes.length; ) {
    const m = bytes.readUInt32LE(p + 1);
    const v = bytes.readUInt32LE(p + 5);
    const manifestStart = p + frameHeaderLength;
    frames.push({
      start: p,
      version: bytes[p] ?? 0,
      manifest: bytes.subarray(manifestStart, manifestStart + m).toString('utf8'),
      values: bytes.subarray(manifestStart + m, manifestStart + m + v).toString('utf8'),
    });
    p = manifestStart + m + v;
  }
  return frames;
}

function encodeFrame(manifest: string, values: string, durableBefore: number, version = 1): Buffer {
  const m = Buffer.from(manifest, 'utf8');
  const v = Buffer.from(values, 'utf8');
  const header = Buffer.alloc(frameHeaderLength);
  header.writeUInt8(version, 0);
  header.writeUInt32LE(m.length, 1);
  header.writeUInt32LE(v.length, 5);
  header.writeUInt32LE(durableBefore % 2 ** 32, 9);
  header.writeUInt32LE(Math.floor(durableBefore / 2 ** 32), 13);
  header.writeUInt32LE(crc32(header.subarray(0, 17)), 17);
  header.writeUInt32LE(crc32(m), 21);
  header.writeUInt32LE(crc32(v), 25);
  return Buffer.concat([header, m, v]);
}

/** Writes frames back as a strict writer does: each frame says everything before it was durable. */
function encodeJournal(frames: readonly Pick<Frame, 'manifest' | 'values' | 'version'>[]): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  for (const frame of frames) {
    const encoded = encodeFrame(frame.manifest, frame.values, length, frame.version);
    parts.push(encoded);
    length += encoded.length;
  }
  return Buffer.concat(parts);
}

/** The frame that created task `id` (its manifest puts `tasks/<id>`). */
function creationFrame(frames: readonly Frame[], id: number): Frame {
  const found = frames.find((frame) => frame.manifest.includes(`["put","tasks","${id}"]`));
  if (found === undefined) throw new Error(`No frame puts tasks/${id}`);
  return found;
}

/** The last frame that writes the store header (a header is written once per block of identifiers, not with each creation). */
function lastHeaderFrame(frames: readonly Frame[]): Frame {
  const found = frames.filter((frame) => frame.manifest.startsWith('{"header":true')).at(-1);
  if (found === undefined) throw new Error('No frame writes the header');
  return found;
}

/** Rewrites the JSON value lines of the frame that created `id` (the header first when it has one). */
function rewriteValues(frames: readonly Frame[], id: number, change: (lines: unknown[]) => unknown[]): Buffer {
  return rewriteFrame(frames, creationFrame(frames, id), change);
}

/** Rewrites the JSON value lines of `target` (the header first when it has one). */
function rewriteFrame(frames: readonly Frame[], target: Frame, change: (lines: unknown[]) => unknown[]): Buffer {
  return encodeJournal(
    frames.map((frame) =>
      frame === target ? { ...frame, values: change(frame.values.split('\n').map((line) => JSON.parse(line) as unknown)).map((value) => JSON.stringify(value)).join('\n') } : frame,
    ),
  );
}

describe('C19: a corrupt store on disk opens with typed problems, never a crash', () => {
  const cleanup = createCleanup();
  let parent: string;
  let journal: string;
  let ids: number[];
  let original: Buffer;

  beforeEach(async () => {
    parent = await scratchDirectory(cleanup);
    journal = join(parent, 'session', 'store', 'journal');
    // Three tasks at rest (not resumed): each creation is one strict commit, one frame.
    const session = await openTestSession(cleanup, parent);
    ids = [];
    for (const name of ['a', 'b', 'c']) ids.push((await session.download({ url: `http://127.0.0.1:9/${name}.bin`, resume: false })).taskIdentifier);
    await session.close();
    original = await readFile(journal);
  });
  afterEach(() => cleanup.run());

  /** Opens the damaged session, checks it is usable, and closes it. */
  async function reopen(): Promise<{ problems: StoreProblem[]; reported: StoreProblem[]; tasks: number[]; next: number }> {
    const events = recordEvents();
    const session = await openTestSession(cleanup, parent, { listener: events.listener });
    const tasks = session.tasks().map((task) => task.taskIdentifier).sort((x, y) => x - y);
    const next = (await session.download({ url: 'http://127.0.0.1:9/next.bin', resume: false })).taskIdentifier;
    const problems = [...session.problems];
    await session.close();
    const reported = events.transient.flatMap((event) => (event.type === 'storeProblem' ? [event.problem] : []));
    return { problems, reported, tasks, next };
  }

  const [first, second, third] = [0, 1, 2];

  it('a bit flipped in a middle record quarantines that task only; later records load; nothing loops', async () => {
    const frames = readFrames(original);
    const damaged = Buffer.from(original);
    const target = creationFrame(frames, ids[second] as number);
    // The last byte of its values: its task record, not the header line before it.
    const at = target.start + frameHeaderLength + Buffer.byteLength(target.manifest) + Buffer.byteLength(target.values) - 2;
    damaged[at] = (damaged[at] ?? 0) ^ 0x04;
    await writeFile(journal, damaged);

    for (let open = 0; open < 2; open += 1) {
      const { problems, reported, tasks, next } = await reopen();
      expect(problems).toContainEqual(expect.objectContaining({ code: 'CorruptRecord', collection: 'tasks', key: String(ids[second]) }));
      expect(reported).toEqual(problems);
      expect(tasks).toEqual(open === 0 ? [ids[first], ids[third]] : [ids[first], ids[third], expect.any(Number)]);
      // The quarantined task's identifier still counts: nothing is issued twice.
      expect(next).toBeGreaterThan(Math.max(...ids));
      ids.push(next);
    }
    expect(ids[3]).not.toBe(ids[4]);
  });

  it('a bit flipped in a middle manifest is reported by offset; what it may have touched is quarantined, what came after loads, and no identifier is reused', async () => {
    const frames = readFrames(original);
    const target = creationFrame(frames, ids[second] as number);
    const damaged = Buffer.from(original);
    damaged[target.start + frameHeaderLength + 3] = (damaged[target.start + frameHeaderLength + 3] ?? 0) ^ 0x01;
    await writeFile(journal, damaged);
    const { problems, tasks, next } = await reopen();
    expect(problems).toContainEqual(expect.objectContaining({ code: 'CorruptRecord', path: expect.stringMatching(new RegExp(`^journal@${target.start}-\\d+$`)) }));
    // Its keys are unknown: it may have changed or deleted any record before it (an acknowledgement,
    // an end), so the task before it is quarantined and reported, never rolled back.
    expect(problems).toContainEqual(expect.objectContaining({ code: 'CorruptRecord', collection: 'tasks', key: String(ids[first]) }));
    expect(tasks).toEqual([ids[third]]);
    expect(next).toBeGreaterThan(ids[third] as number);
  });

  it('a bit flipped in the last creation\'s manifest does not give its identifier again (C19)', async () => {
    const frames = readFrames(original);
    const target = creationFrame(frames, ids[third] as number);
    const damaged = Buffer.from(original);
    damaged[target.start + frameHeaderLength + 3] = (damaged[target.start + frameHeaderLength + 3] ?? 0) ^ 0x01;
    await writeFile(journal, damaged);
    const { problems, next } = await reopen();
    expect(problems).toContainEqual(expect.objectContaining({ code: 'CorruptRecord', path: expect.stringMatching(new RegExp(`^journal@${target.start}-\\d+$`)) }));
    expect(next).toBeGreaterThan(ids[third] as number);
  });

  it('a torn tail (a frame cut short) is cut without a problem, and every committed task loads', async () => {
    const frames = readFrames(original);
    const copy = encodeFrame(creationFrame(frames, ids[third] as number).manifest, creationFrame(frames, ids[third] as number).values, original.length);
    await writeFile(journal, Buffer.concat([original, copy.subarray(0, copy.length - 40)]));
    const { problems, tasks, next } = await reopen();
    expect(problems).toEqual([]);
    expect(tasks).toEqual(ids);
    expect(next).toBeGreaterThan(ids[third] as number);
    // What was cut is gone from the file: every frame in it is whole again.
    const after = await readFile(journal);
    expect(readFrames(after).reduce((end, frame) => end + frameHeaderLength + Buffer.byteLength(frame.manifest) + Buffer.byteLength(frame.values), 0)).toBe(after.length);
    expect(after.subarray(0, original.length).equals(original)).toBe(true);
  });

  it('a truncated frame header at the tail is cut the same way', async () => {
    await writeFile(journal, Buffer.concat([original, encodeFrame('{"header":false,"operations":[]}', '', original.length).subarray(0, 11)]));
    const { problems, tasks } = await reopen();
    expect(problems).toEqual([]);
    expect(tasks).toEqual(ids);
  });

  it('a truncated store header is reported; the header is rebuilt and no identifier is reused', async () => {
    // The newest header cut in half, with checksums that hold: a bad write, not a torn one.
    const frames = readFrames(original);
    const target = lastHeaderFrame(frames);
    const [headerLine = '', ...rest] = target.values.split('\n');
    const cut = [headerLine.slice(0, Math.floor(headerLine.length / 2)), ...rest].join('\n');
    await writeFile(journal, encodeJournal(frames.map((frame) => (frame === target ? { ...frame, values: cut } : frame))));
    const { problems, tasks, next } = await reopen();
    expect(problems.some((problem) => problem.code === 'CorruptRecord' && problem.path === 'header')).toBe(true);
    expect(tasks).toContain(ids[first]);
    expect(tasks).toContain(ids[second]);
    expect(next).toBeGreaterThan(ids[third] as number);
  });

  it('a task record of a newer schema version quarantines that task with UnsupportedStoreVersion', async () => {
    await writeFile(journal, rewriteValues(readFrames(original), ids[second] as number, (lines) => lines.map((line, index) => (index === lines.length - 1 ? { ...(line as object), schemaVersion: 99 } : line))));
    const { problems, tasks, next } = await reopen();
    expect(problems).toContainEqual(expect.objectContaining({ code: 'UnsupportedStoreVersion', collection: 'tasks', key: String(ids[second]) }));
    expect(tasks).toEqual([ids[first], ids[third]]);
    expect(next).toBeGreaterThan(ids[third] as number);
  });

  it.each([
    ['an unknown state', (record: Record<string, unknown>) => ({ ...record, phase: 'exploded' }), /phase/],
    ['a negative offset', (record: Record<string, unknown>) => ({ ...record, checkpoint: { offset: -5, validator: null, expectedLength: null, bootIdentity: 'b' } }), /checkpoint\.offset/],
  ])('a record with %s is CorruptRecord with its path; the others load', async (_name, change, path) => {
    await writeFile(journal, rewriteValues(readFrames(original), ids[second] as number, (lines) => lines.map((line, index) => (index === lines.length - 1 ? change(line as Record<string, unknown>) : line))));
    for (let open = 0; open < 2; open += 1) {
      const { problems, tasks, next } = await reopen();
      const problem = problems.find((p) => p.key === String(ids[second]));
      expect(problem).toMatchObject({ code: 'CorruptRecord', collection: 'tasks' });
      expect(problem?.path).toMatch(path);
      expect(tasks).toEqual(expect.arrayContaining([ids[first], ids[third]]));
      expect(tasks).not.toContain(ids[second]);
      expect(next).toBeGreaterThan(Math.max(...ids));
      ids.push(next);
    }
  });

  it('a store header of a newer schema version is refused with UnsupportedStoreVersion, every time, and left unwritten', async () => {
    const frames = readFrames(original);
    await writeFile(journal, rewriteFrame(frames, lastHeaderFrame(frames), ([header, ...rest]) => [{ ...(header as object), schemaVersion: 99 }, ...rest]));
    const before = await readFile(journal);
    for (let open = 0; open < 2; open += 1) {
      // A typed rejection, never SessionInUse: the refused open let go of the lock.
      await expectRejection(openTestSession(cleanup, parent), 'UnsupportedStoreVersion');
    }
    expect((await readFile(journal)).equals(before)).toBe(true);
  });

  it('a journal frame of a newer format version is refused with UnsupportedStoreVersion, every time, and left unwritten', async () => {
    const newer = Buffer.concat([original, encodeFrame('{"future":true}', 'x', original.length, 2)]);
    await writeFile(journal, newer);
    for (let open = 0; open < 2; open += 1) await expectRejection(openTestSession(cleanup, parent), 'UnsupportedStoreVersion');
    expect((await readFile(journal)).equals(newer)).toBe(true);
  });
});

describe('C19: a lost store header never gives back the identifier of a task already forgotten', () => {
  const cleanup = createCleanup();
  let parent: string;
  let journal: string;
  let ids: number[];
  let original: Buffer;

  beforeEach(async () => {
    parent = await scratchDirectory(cleanup);
    journal = join(parent, 'session', 'store', 'journal');
    // 70 tasks cancelled and acknowledged: every record is deleted, so only the header counts them.
    // A header counts 64 identifiers and 1,024 sequence numbers ahead (ADR 28): the first task's
    // end writes one (its event's sequence), and the 66th creation is the last to write one.
    const session = await openTestSession(cleanup, parent, { listener: recordEvents().listener });
    ids = [];
    const first = await session.download({ url: 'http://127.0.0.1:9/0.bin', resume: false });
    ids.push(first.taskIdentifier);
    await first.cancel();
    for (let i = 1; i < 70; i += 1) ids.push((await session.download({ url: `http://127.0.0.1:9/${i}.bin`, resume: false })).taskIdentifier);
    expect(lastHeaderFrame(readFrames(await readFile(journal))).manifest).toContain(`["put","tasks","${ids[65]}"]`);
    for (const task of session.tasks()) await task.cancel();
    for (let i = 0; i < 500 && session.tasks().length > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(session.tasks()).toEqual([]);
    await session.close();
    original = await readFile(journal);
  });
  afterEach(() => cleanup.run());

  async function identifiersAfterReopen(): Promise<{ problems: StoreProblem[]; issued: number[] }> {
    const session = await openTestSession(cleanup, parent);
    const issued: number[] = [];
    for (let i = 0; i < 3; i += 1) issued.push((await session.download({ url: `http://127.0.0.1:9/again-${i}.bin`, resume: false })).taskIdentifier);
    const problems = [...session.problems];
    await session.close();
    return { problems, issued };
  }

  it('a bit flipped in the values of the last frame that wrote the header (its manifest still checks)', async () => {
    const target = lastHeaderFrame(readFrames(original));
    const damaged = Buffer.from(original);
    const at = target.start + frameHeaderLength + Buffer.byteLength(target.manifest) + Buffer.byteLength(target.values) - 2;
    damaged[at] = (damaged[at] ?? 0) ^ 0x04;
    await writeFile(journal, damaged);
    const { problems, issued } = await identifiersAfterReopen();
    expect(problems).toContainEqual(expect.objectContaining({ code: 'CorruptRecord', path: 'header' }));
    expect(Math.min(...issued)).toBeGreaterThan(Math.max(...ids));
  });

  it('the last header cut in half, with checksums that hold (a bad write), and no record left to count from', async () => {
    const frames = readFrames(original);
    const target = lastHeaderFrame(frames);
    const [headerLine = '', ...rest] = target.values.split('\n');
    await writeFile(journal, encodeJournal(frames.map((frame) => (frame === target ? { ...frame, values: [headerLine.slice(0, Math.floor(headerLine.length / 2)), ...rest].join('\n') } : frame))));
    const { problems, issued } = await identifiersAfterReopen();
    expect(problems).toContainEqual(expect.objectContaining({ code: 'CorruptRecord', path: 'header' }));
    expect(Math.min(...issued)).toBeGreaterThan(Math.max(...ids));
  });
});
