// A child process for the lock tests (faults.md C21), run by the test with tsx:
//   node --conditions=@bgsession/source --import tsx lock-holder.fixture.ts <path> <platform> <hold|return>
// It takes the lock on <path> with <platform>'s kind of lock and prints "locked". With `hold` it then
// waits until its stdin closes (the test SIGKILLs it first; the stdin wait only keeps a child from
// outliving a parent that died); with `return` it does nothing more, so it exits unless the lock
// keeps the event loop alive.
import { createNodeFileSystem } from './node-file-system.js';

const [path, platform, then] = process.argv.slice(2);
if (path === undefined || platform === undefined) {
  process.stderr.write('usage: lock-holder.fixture.ts <path> <platform> <hold|return>\n');
  process.exit(2);
}

try {
  await createNodeFileSystem({ platform: platform as NodeJS.Platform }).lock(path);
  process.stdout.write('locked\n');
} catch (error) {
  process.stdout.write(`failed ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

if (then === 'hold') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
