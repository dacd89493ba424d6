// Every ```ts block of docs/ runs as written (conventions.md, "Comments and docs"): each is written
// to a file inside the repository, so `@bgsession/*` imports resolve as they would in the user's
// workspace, run in its own Node process through scripts/with-tsx.mjs, and must exit 0 and print
// what the `text output` block after it says, if there is one. Then all of them are type-checked
// together, since tsx only strips types. Mark a block that cannot run on its own ```ts no-run.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runnableBlocks } from './runnable-blocks.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const docsDir = join(root, 'docs');
// One directory per run, so two vitest runs at once never overwrite each other's files.
const workDir = join(root, '.tmp', 'docs-blocks', `run-${process.pid}`);
const runTimeoutMs = 20_000;

interface DocBlock {
  /** `docs/concepts/delivery.md:42` */
  readonly name: string;
  readonly file: string;
  readonly expectedOutput: string | null;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function collectBlocks(): DocBlock[] {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const blocks: DocBlock[] = [];
  for (const page of markdownFiles(docsDir)) {
    const pagePath = relative(root, page);
    for (const block of runnableBlocks(readFileSync(page, 'utf8'))) {
      const file = join(workDir, `${pagePath.replace(/[^a-z0-9]+/gi, '-')}-${block.line}.ts`);
      writeFileSync(file, block.code);
      blocks.push({ name: `${pagePath}:${block.line}`, file, expectedOutput: block.expectedOutput });
    }
  }
  return blocks;
}

interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `args` with this Node, killing it after `timeoutMs` so a block that never ends fails. The child
 * leads a process group of its own and the whole group is killed: with-tsx.mjs runs the block in a
 * grandchild, which a SIGKILL of its parent alone would leave running (and holding the output pipes).
 */
function run(args: readonly string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms: the program did not end by itself)`;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Lines without trailing spaces, and no trailing blank line, so an editor's whitespace cannot fail a page. */
function normalise(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();
}

const blocks = collectBlocks();

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the code blocks of docs/', () => {
  it('exist (the docs have examples to run)', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  describe.concurrent('each runs as written', () => {
    for (const block of blocks) {
      it(`${block.name} exits 0${block.expectedOutput === null ? '' : ' and prints its output block'}`, async () => {
        const result = await run([join(root, 'scripts', 'with-tsx.mjs'), block.file], runTimeoutMs);
        const report = `${block.name} ended with ${result.signal ?? `exit code ${result.code}`}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
        expect(result.code, report).toBe(0);
        if (block.expectedOutput !== null) expect(normalise(result.stdout), report).toBe(normalise(block.expectedOutput));
      });
    }
  });

  it('type-check together', async () => {
    writeFileSync(
      join(workDir, 'tsconfig.json'),
      JSON.stringify({
        extends: relative(workDir, join(root, 'tsconfig.base.json')),
        compilerOptions: { lib: ['ES2022'], types: ['node'] },
        include: ['*.ts'],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = await run([tsc, '-p', join(workDir, 'tsconfig.json')], 120_000);
    // tsc names the temp files; map them back to the page and line they came from.
    const names = new Map(blocks.map((block) => [relative(root, block.file), block.name]));
    let output = result.stdout + result.stderr;
    for (const [file, name] of names) output = output.replaceAll(file, `${name} (${file})`);
    expect(result.code, output).toBe(0);
  }, 120_000);
});
