#!/usr/bin/env node
// Runs the demo's TypeScript sources in a child Node with tsx registered: the one way the workspace
// runs TypeScript outside vitest. The `@bgsession/source` condition makes `@bgsession/*` imports
// resolve to each package's sources, so the demo needs no build.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Resolved from this file, not from the working directory, so the demo runs from anywhere.
const tsx = import.meta.resolve('tsx');
const main = fileURLToPath(new URL('./src/main.ts', import.meta.url));

const child = spawn(process.execPath, ['--conditions=@bgsession/source', '--import', tsx, main, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// A parent that is told to stop (a test's timeout, a supervisor) must not leave the demo running.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => {
  process.exitCode = code ?? 1;
});
child.on('error', (error) => {
  console.error(`the demo could not start: ${error.message}`);
  process.exitCode = 1;
});
