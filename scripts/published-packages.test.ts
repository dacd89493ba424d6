// The packages as an app outside this workspace gets them (conventions.md, "Packages"): each is
// built from its tsconfig.build.json into a staging directory outside the repository, with its
// `workspace:*` ranges replaced by versions as `pnpm publish` does; publint and
// `attw --profile esm-only` check what `npm pack` would publish; and an app written in TypeScript
// is type-checked against the built declarations, compiled, and run with plain `node` (no
// TypeScript loader, no `@bgsession/source` condition) to download a file from a server on
// 127.0.0.1. The app's node_modules holds the staged packages and the dependencies their
// package.json files declare, flat as npm lays them out: a dependency no package declares fails
// the run (one declared by another staged package would not, as with npm).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = ['core', 'testing', 'node', 'simulator'] as const;
type PackageFolder = (typeof packages)[number];
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
/** The file a root devDependency names as its bin (neither package exports a path to it). */
function binOf(name: string): string {
  const directory = join(root, 'node_modules', name);
  const { bin } = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  return join(directory, typeof bin === 'string' ? bin : (Object.values(bin)[0] as string));
}
const publint = binOf('publint');
const attw = binOf('@arethetypeswrong/cli');
/** Per child process (a build, a pack and its check, the app's compile or run) on a loaded machine; a test runs at most two. */
const childTimeoutMs = 80_000;
const stepTimeoutMs = 3 * childTimeoutMs;

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly [key: string]: unknown;
}

interface RunResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs `args` with this Node in `cwd`, killed after `timeoutMs`; stdout and stderr together. */
function run(args: readonly string[], cwd: string, timeoutMs = childTimeoutMs): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function manifestOf(folder: PackageFolder): Manifest {
  return JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) as Manifest;
}

const staging = mkdtempSync(join(tmpdir(), 'bgsession-packages-'));
const manifests = new Map<PackageFolder, Manifest>(packages.map((folder) => [folder, manifestOf(folder)]));
const versionOf = (name: string): string | undefined => [...manifests.values()].find((manifest) => manifest.name === name)?.version;

/** The package.json `pnpm publish` would write: `workspace:*` ranges become the packages' versions. */
function publishedManifest(manifest: Manifest): Manifest {
  const pin = (ranges: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(ranges).map(([name, range]) => [name, range.startsWith('workspace:') ? (versionOf(name) ?? range) : range]));
  const pinned = Object.fromEntries(
    (['dependencies', 'devDependencies'] as const).flatMap((field) => {
      const ranges = manifest[field];
      return ranges === undefined ? [] : [[field, pin(ranges as Record<string, string>)]];
    }),
  );
  return { ...manifest, ...pinned };
}

const built = new Map<PackageFolder, RunResult>();

beforeAll(async () => {
  const paths: Record<string, string[]> = {};
  for (const folder of packages) {
    const manifest = manifests.get(folder) as Manifest;
    const target = join(staging, 'packages', folder);
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'package.json'), `${JSON.stringify(publishedManifest(manifest), null, 2)}\n`);
    // The package's own build configuration, writing into the staging directory, with the packages
    // built before it resolved to their staged declarations (not to the workspace's sources).
    const config = join(staging, `tsconfig.${folder}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        extends: join(root, 'packages', folder, 'tsconfig.build.json'),
        compilerOptions: {
          outDir: join(target, 'dist'),
          rootDir: join(root, 'packages', folder, 'src'),
          paths,
          // Type libraries are looked for beside the configuration that names them, not the one it extends.
          typeRoots: [join(root, 'packages', folder, 'node_modules', '@types'), join(root, 'node_modules', '@types')],
        },
      }),
    );
    built.set(folder, await run([tsc, '-p', config], root));
    paths[manifest.name] = [join(target, 'dist', 'index.d.ts')];
  }
}, packages.length * childTimeoutMs + 10_000);

afterAll(() => rmSync(staging, { recursive: true, force: true }));

describe('the packages as published', () => {
  it.each(packages)('@bgsession/%s builds from tsconfig.build.json into dist/ with declarations, and no test file is in it', (folder) => {
    const result = built.get(folder);
    expect(result?.output ?? '').toBe('');
    expect(result?.code).toBe(0);
    const files = readdirSync(join(staging, 'packages', folder, 'dist'), { recursive: true }).map(String);
    expect(files).toContain('index.js');
    expect(files).toContain('index.d.ts');
    expect(files.filter((file) => /\.test\.|test-helpers|\.fixture\./.test(file))).toEqual([]);
  });

  it.each(packages)('@bgsession/%s passes publint on what npm pack would publish', async (folder) => {
    const result = await run([publint, '--pack', 'npm', '--strict'], join(staging, 'packages', folder));
    expect(result.output).toContain('All good!');
    expect(result.code).toBe(0);
  }, stepTimeoutMs);

  it.each(packages)('@bgsession/%s resolves with its types for ESM consumers: node16 and bundlers (attw)', async (folder) => {
    const result = await run([attw, '--pack', '.', '--profile', 'esm-only', '--format', 'table-flipped'], join(staging, 'packages', folder));
    // attw's exit code is its verdict for the profile: node10 and require() are not judged, the
    // packages being ESM only.
    expect(result.output).toContain('🟢');
    expect(result.code).toBe(0);
  }, stepTimeoutMs);

  it('an app outside the workspace type-checks against the built packages and, run by plain node, downloads a file that survives to its path', async () => {
    const app = join(staging, 'app');
    // npm's flat layout: the packages are copied into node_modules beside the app (a symlink would
    // resolve to the staging directory, where nothing is beside them).
    const modules = join(staging, 'node_modules');
    mkdirSync(app, { recursive: true });
    // The app installs @bgsession/node and @bgsession/core (as the node guide says); node_modules
    // holds them and what their package.json files declare, nothing more.
    const wanted = new Set(['@bgsession/node', '@bgsession/core', '@types/node']);
    for (const name of wanted) {
      const folder = packages.find((candidate) => manifests.get(candidate)?.name === name);
      mkdirSync(dirname(join(modules, name)), { recursive: true });
      if (folder === undefined) {
        symlinkSync(resolveDependency(name), join(modules, name), 'dir');
        continue;
      }
      for (const dependency of Object.keys(publishedManifest(manifests.get(folder) as Manifest).dependencies ?? {})) wanted.add(dependency);
      cpSync(join(staging, 'packages', folder), join(modules, name), { recursive: true });
    }
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { '@bgsession/node': versionOf('@bgsession/node'), '@bgsession/core': versionOf('@bgsession/core') } }),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], outDir: 'out', skipLibCheck: false }, files: ['main.ts'] }),
    );
    writeFileSync(join(app, 'main.ts'), appSource);
    const compiled = await run([tsc, '-p', 'tsconfig.json'], app);
    expect(compiled.output).toBe('');
    expect(compiled.code).toBe(0);
    const ran = await run([join('out', 'main.js')], app);
    expect(ran.output.trim()).toBe('succeeded /report.bin 262144 bytes, equal: true');
    expect(ran.code).toBe(0);
  }, stepTimeoutMs);
});

/** Where the workspace keeps a third-party package (pnpm's store), found from the package that depends on it. */
function resolveDependency(name: string): string {
  for (const folder of ['node', 'core', 'testing', 'simulator']) {
    try {
      return realpathSync(dirname(require.resolve(`${name}/package.json`, { paths: [join(root, 'packages', folder)] })));
    } catch {
      // Not a dependency of that package: try the next.
    }
  }
  throw new Error(`${name} is not installed in the workspace`);
}

// The app: a server on 127.0.0.1 stands in for the real one; the session downloads one file to a path.
const appSource = `import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskOutcome } from '@bgsession/core';
import { openSession } from '@bgsession/node';

const content = Buffer.alloc(256 * 1024, 'published ');
const server = createServer((_request, response) => {
  response.writeHead(200, { etag: '"v1"', 'content-length': String(content.length) }).end(content);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
const directory = await mkdtemp(join(tmpdir(), 'bgsession-app-'));
const path = join(directory, 'report.bin');
const session = await openSession({
  identifier: 'published-app',
  directory: join(directory, 'session'),
  connectivity: { online: true },
  listener: { downloadDidFinish: () => undefined, taskDidComplete: () => undefined },
});
const task = await session.download({ url: \`http://127.0.0.1:\${port}/report.bin\`, destination: { type: 'path', path, ifExists: 'fail' } });
const outcome: TaskOutcome = await task.outcome();
if (outcome.phase !== 'succeeded') console.log(outcome.phase, outcome.error?.code, outcome.error?.message);
const bytes = await readFile(path);
console.log(\`\${outcome.phase} \${path.slice(directory.length)} \${bytes.length} bytes, equal: \${bytes.equals(content)}\`);
await session.close();
server.close();
await rm(directory, { recursive: true, force: true });
`;
