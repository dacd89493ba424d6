#!/usr/bin/env node
// Runs the example's TypeScript sources in a child Node with tsx registered, as examples/demo does.
// The `@bgsession/source` condition makes `@bgsession/*` imports resolve to each package's sources,
// so the example needs no build. main.ts starts its own children with the same flags.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Resolved from this file, not from the working directory, so the example runs from anywhere.
const tsx = import.meta.resolve('tsx');
const main = fileURLToPath(new URL('./src/main.ts', import.meta.url));

const child = spawn(process.execPath, ['--conditions=@bgsession/source', '--import', tsx, main, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// A parent that is told to stop (a test's timeout, a supervisor) must not leave the example running.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => {
  process.exitCode = code ?? 1;
});
child.on('error', (error) => {
  console.error(`the example could not start: ${error.message}`);
  process.exitCode = 1;
});
