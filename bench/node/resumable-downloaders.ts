import { mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { runCommand } from './run-command.js';
import type { ResumableDownloader } from './resume-under-kills.js';
import { runWorker, workerPath } from './run-worker.js';

const bgsessionChild = workerPath(import.meta.url, './b4-bgsession-child.ts');

/**
 * bgsession under B4: each launch is a process that opens the same session directory and asks for
 * the download with the same taskKey (b4-bgsession-child.ts).
 *
 * @example
 * ```ts
 * const downloader = bgsessionDownloader(url, work.join('bgsession'));
 * ```
 */
export function bgsessionDownloader(url: string, directory: string): ResumableDownloader {
  const destination = join(directory, 'file.bin');
  return {
    name: 'bgsession',
    destination,
    reset: () => {
      rmSync(directory, { recursive: true, force: true });
      mkdirSync(directory, { recursive: true });
    },
    launch: async (onSpawn) => {
      const exit = await runWorker(bgsessionChild, [join(directory, 'session'), url, destination], { onSpawn, timeoutMs: 300_000 });
      return { code: exit.code, signal: exit.signal, output: `${exit.stderr}${exit.lines.join('\n')}` };
    },
  };
}

/** A command-line downloader whose every launch resumes from the file it finds. */
function commandDownloader(name: string, directory: string, command: string, args: (destination: string) => string[]): ResumableDownloader {
  const destination = join(directory, 'file.bin');
  return {
    name,
    destination,
    reset: () => {
      rmSync(directory, { recursive: true, force: true });
      mkdirSync(directory, { recursive: true });
    },
    launch: async (onSpawn) => {
      const exit = await runCommand(command, args(destination), { onSpawn, timeoutMs: 300_000 });
      return { code: exit.code, signal: exit.signal, output: `${exit.stderr}${exit.stdout}` };
    },
  };
}

/**
 * The command-line baselines of B4, each resuming from the file's length: `curl -C -`, `wget -c`
 * and `aria2c -c` (its defaults, with its control file). `url` must end in `/file.bin`.
 *
 * @example
 * ```ts
 * const [curl, wget] = commandDownloaders(url, work.path, ['curl', 'wget']);
 * ```
 */
export function commandDownloaders(url: string, root: string, available: ReadonlySet<string>): ResumableDownloader[] {
  const all: Array<[string, ResumableDownloader]> = [
    ['curl', commandDownloader('curl -C -', join(root, 'curl'), 'curl', (destination) => ['-sS', '--fail', '-C', '-', '-o', destination, url])],
    // -P: wget names the file after the URL (file.bin) in that directory, the way -c expects.
    ['wget', commandDownloader('wget -c', join(root, 'wget'), 'wget', (destination) => ['-q', '-c', '-P', dirname(destination), url])],
    ['aria2c', commandDownloader('aria2c -c', join(root, 'aria2c'), 'aria2c', (destination) => ['-q', '-c', '--allow-overwrite=false', '-d', dirname(destination), '-o', basename(destination), url])],
  ];
  return all.filter(([command]) => available.has(command)).map(([, downloader]) => downloader);
}
