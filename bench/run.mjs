// The benchmark runner of design/benchmarks.md: `pnpm bench [group or benchmark ...]`.
//
// Each benchmark is one TypeScript file run in its own Node process, the one way TypeScript runs in
// child processes here: this JavaScript entry starts `node` with tsx registered (`--import`, the
// loader resolved from this package) and the `@bgsession/source` condition, so `@bgsession/*`
// imports load the workspace's TypeScript sources without a build. `--expose-gc` lets benchmarks
// collect garbage before reading the heap.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, machineInfo } from './lib/machine-info.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Every benchmark of benchmarks.md: its group, and its file once it is built. */
const benchmarks = [
  { id: 'b1', group: 'node', title: 'large download throughput', file: 'node/b1-throughput.ts', owner: 'the Node adapter issue' },
  { id: 'b2', group: 'node', title: 'memory is flat', file: 'node/b2-memory.ts', owner: 'the Node adapter issue' },
  { id: 'b3', group: 'node', title: 'many small tasks', file: 'node/b3-small-tasks.ts', owner: 'the Node adapter issue' },
  { id: 'b4', group: 'node', title: 'resume waste', file: 'node/b4-resume-waste.ts', owner: 'the Node adapter issue' },
  { id: 'b5', group: 'node', title: 'relaunch', file: 'node/b5-relaunch.ts', owner: 'the Node adapter issue' },
  { id: 'b6', group: 'core', title: 'core cost', file: 'b6-core.ts', owner: 'the core issue' },
  { id: 'b7', group: 'simulator', title: 'simulator speed', file: 'b7-simulator.ts', owner: 'the simulator issue' },
  { id: 'b8', group: 'browser', title: 'browser download', file: null, owner: 'the browser issue' },
];

function usage() {
  const groups = [...new Set(benchmarks.map((b) => b.group))];
  return `usage: pnpm bench [${groups.join('|')}|b1..b8 ...]   (nothing: every benchmark; BENCH_QUICK=1 for smoke sizes)`;
}

function select(args) {
  if (args.length === 0) return benchmarks;
  const chosen = new Set();
  for (const arg of args.map((a) => a.toLowerCase())) {
    const matches = benchmarks.filter((b) => b.id === arg || b.group === arg);
    if (matches.length === 0) {
      console.error(`unknown benchmark or group "${arg}"\n${usage()}`);
      process.exit(2);
    }
    for (const match of matches) chosen.add(match);
  }
  return benchmarks.filter((b) => chosen.has(b));
}

const args = process.argv.slice(2).filter((a) => a !== '--');
if (args.includes('--help') || args.includes('-h')) {
  console.log(usage());
  process.exit(0);
}
const selected = select(args);
const tsx = import.meta.resolve('tsx');

console.log(describeMachine(machineInfo()));
console.log(`BENCH_QUICK=${process.env.BENCH_QUICK === '1' ? '1 (smoke sizes)' : '0 (full sizes)'}\n`);

const failed = [];
for (const benchmark of selected) {
  const label = `${benchmark.id.toUpperCase()}`;
  if (benchmark.file === null) {
    console.log(`${label}: not built yet (${benchmark.owner}): ${benchmark.title}`);
    continue;
  }
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--conditions=@bgsession/source', '--import', tsx, join(here, benchmark.file)],
    { stdio: 'inherit', cwd: here },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (child.status !== 0) {
    failed.push(label);
    console.log(`${label}: failed (${child.signal ?? `exit ${child.status}`}) after ${seconds} s`);
  } else {
    console.log(`${label}: done in ${seconds} s\n`);
  }
}
if (failed.length > 0) {
  console.log(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
