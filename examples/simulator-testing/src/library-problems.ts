import { createHash } from 'node:crypto';
import type { LibraryRun } from './library-scenario.js';
import { photoLibraryIdentifier } from './photo-library.js';

/**
 * What is wrong with the end of a run, one sentence per problem (empty: every claim held):
 * - the session is idle, every task acknowledged, and the world's invariants hold (`world.violations`);
 * - the database holds exactly one record per photo, each matching the server's bytes;
 * - no eventId was applied twice;
 * - every `downloadDidFinish` the app acknowledged is in the database (durable before acknowledged);
 * - each photo's file is the server's bytes.
 *
 * @example
 * ```ts
 * const problems = libraryProblems(await runLibraryScenario({ seed: 1 }));
 * expect(problems).toEqual([]);
 * ```
 */
export function libraryProblems(run: LibraryRun): string[] {
  const { world, contents, expected } = run;
  const problems: string[] = [];
  if (!world.running) problems.push('no process runs at the end.');
  const session = world.session(photoLibraryIdentifier);
  if (session === undefined) problems.push('the session is not open at the end.');
  const left = session?.tasks().length ?? 0;
  if (left > 0) problems.push(`${left} task(s) still in the session: the run did not settle.`);
  for (const violation of world.violations({ settled: true })) problems.push(`#${violation.invariant}: ${violation.message}`);

  for (const photo of expected) {
    const records = contents.photos.filter((record) => record.name === photo.name);
    if (records.length !== 1) problems.push(`${photo.name} has ${records.length} record(s), not 1.`);
    for (const record of records) {
      if (record.size !== photo.size || record.sha256 !== photo.sha256) {
        problems.push(`${photo.name} is recorded as ${record.size} bytes ${record.sha256.slice(0, 12)}, the server has ${photo.size} bytes ${photo.sha256.slice(0, 12)}.`);
      }
    }
    const file = world.disk.readFile(`${run.directory}/photos/${photo.name}`);
    if (file === null) problems.push(`${photo.name} is not in the library's photos.`);
    else if (createHash('sha256').update(file).digest('hex') !== photo.sha256) problems.push(`${photo.name} on disk is not the server's bytes.`);
  }
  const unknown = contents.photos.filter((record) => !expected.some((photo) => photo.name === record.name));
  for (const record of unknown) problems.push(`${record.name} is recorded but was never imported.`);

  const applied = new Set<string>();
  for (const eventId of contents.appliedEventIds) {
    if (applied.has(eventId)) problems.push(`event ${eventId} was applied twice.`);
    applied.add(eventId);
  }
  const acknowledged = new Set(world.trace.ofKind('handled').map((entry) => entry.eventId));
  const finished = world.trace.ofKind('delivered').filter((entry) => entry.type === 'downloadDidFinish' && acknowledged.has(entry.eventId));
  for (const entry of finished) {
    if (!applied.has(entry.eventId)) problems.push(`event ${entry.eventId} (task ${entry.taskIdentifier}) was acknowledged but is not in the database.`);
  }
  return problems;
}
