#!/usr/bin/env node
// Runs a TypeScript file of the workspace without a build:
//   node scripts/with-tsx.mjs <file.ts> [args...]
//
// The child gets tsx as its loader and the `@bgsession/source` condition, so every `@bgsession/*`
// import resolves to the package's sources (each package's `exports` map points there under that
// condition). It is the one way the repository runs TypeScript in a child process (conventions.md,
// "Packages"): scripts, the docs' code blocks, examples.
//
// A child process rather than tsx's in-process API, because a resolve condition can only be set when
// Node starts (`--conditions`), and a script run this way sees exactly what a user's program would.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const [file, ...args] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node scripts/with-tsx.mjs <file.ts> [args...]');
  process.exit(2);
}

// Resolved from this file, so the runner works whatever the caller's working directory is.
const tsxLoader = import.meta.resolve('tsx');

const child = spawn(
  process.execPath,
  ['--conditions=@bgsession/source', '--import', tsxLoader, resolve(file), ...args],
  { stdio: 'inherit' },
);

// Forward the signals a terminal or a test runner sends, so the child never outlives this process.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}

child.on('error', (error) => {
  console.error(`with-tsx: could not start node: ${error.message}`);
  process.exit(1);
});

child.on('exit', (code, signal) => {
  if (signal !== null) {
    // Die of the same signal, so the caller sees how the child ended.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
