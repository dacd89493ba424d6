import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { LossyDisk } from '../disk/lossy-disk.js';
import { generatedContent } from '../servers/generated-content.js';
import { createWorld } from '../world/create-world.js';
import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import { checkCredentials } from './check-credentials.js';
import { checkWrites } from './check-writes.js';
import { featureBugIsCaught, featureProperty, type FeatureRun } from './feature-property.test-helpers.js';
import { invariantTitle } from './invariant-sentences.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 6);
const KiB = 1024;
const writingCalls = new Set(['write', 'truncate', 'mkdir', 'rename', 'link', 'unlink']);
const hostileNames = ['../../x', '/etc/passwd', 'C:\\x', '..\\..\\x', '.', '..', '', 'CON', 'a\u0000b', '\u202Etxt.exe', 'n'.repeat(300), "UTF-8''..%2F..%2Fx", '../sessions/app/store/journal'];

interface NamedWorld {
  readonly seed: number;
  readonly files: readonly { readonly name: string; readonly star: boolean; readonly directory: boolean }[];
  readonly killAt: number | null;
}

const namedWorlds: fc.Arbitrary<NamedWorld> = fc.record({
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
  files: fc.array(fc.record({ name: fc.oneof(fc.constantFrom(...hostileNames), fc.string({ maxLength: 20 })), star: fc.boolean(), directory: fc.boolean() }), { minLength: 1, maxLength: 3 }),
  killAt: fc.option(fc.integer({ min: 0, max: 2_000 }), { nil: null }),
});

async function runNamed(input: NamedWorld, planted: PlantedWorldBugs): Promise<FeatureRun> {
  const world = createWorld({ seed: input.seed, planted });
  const server = world.server('https://files.example');
  world.network.configureHost('files.example', { latency: 40, bandwidth: 512 * KiB });
  await world.disk.fs.mkdir('/downloads');
  await world.disk.fs.fsyncDir('/');
  const written: string[] = [];
  world.disk.onCall((call) => {
    if (!writingCalls.has(call.call)) return;
    written.push(...(call.call === 'rename' || call.call === 'link' ? call.paths : call.paths.slice(0, 1)));
  });
  const session = await world.openSession({ identifier: 'app' });
  const allowed = new Set<string>();
  for (const [index, file] of input.files.entries()) {
    const disposition = file.star ? `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}` : `attachment; filename="${file.name.replace(/["\\]/g, '\\$&')}"`;
    server.file(`/file-${index}.bin`, { content: generatedContent({ seed: input.seed + index, length: 64 * KiB }), script: () => [{ type: 'header', name: 'content-disposition', value: disposition }] });
    const path = `/downloads/file-${index}.bin`;
    if (!file.directory) allowed.add(path);
    await session.download({
      url: `https://files.example/file-${index}.bin`,
      destination: file.directory ? { type: 'directory', directory: '/downloads', ifExists: 'rename' } : { type: 'path', path, ifExists: 'replace' },
    });
  }
  if (input.killAt !== null) world.schedule([{ type: 'kill', at: input.killAt }]);
  await world.runUntilIdle({ limit: 60 * 60 * 1000 });
  for (const delivery of world.log.deliveries) allowed.add(delivery.location);
  return { world, violations: checkWrites(written, { storeRoot: '/sessions', allowed }) };
}

interface RedirectWorld {
  readonly seed: number;
  readonly crossOrigin: boolean;
  readonly killAt: number | null;
}

const redirectWorlds: fc.Arbitrary<RedirectWorld> = fc.record({
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
  crossOrigin: fc.boolean(),
  killAt: fc.option(fc.integer({ min: 0, max: 1_500 }), { nil: null }),
});

const secrets = { authorization: 'Bearer s3cret-token', cookie: 'session=c00kie-value', 'x-api-key': 'k3y-value' } as const;

async function runRedirected(input: RedirectWorld, planted: PlantedWorldBugs): Promise<FeatureRun> {
  const world = createWorld({ seed: input.seed, planted });
  const api = world.server('https://api.example');
  const cdn = world.server('https://cdn.example');
  world.network.configureHost('api.example', { latency: 40, bandwidth: 512 * KiB });
  world.network.configureHost('cdn.example', { latency: 40, bandwidth: 512 * KiB });
  const content = generatedContent({ seed: input.seed, length: 512 * KiB });
  cdn.file('/a.bin', { content });
  api.file('/b.bin', { content });
  api.redirect('/a.bin', { location: input.crossOrigin ? 'https://cdn.example/a.bin' : 'https://api.example/b.bin' });
  const session = await world.openSession({
    identifier: 'app',
    configuration: { sensitiveHeaders: ['authorization', 'cookie', 'proxy-authorization', 'x-api-key'] },
    credentials: () => secrets,
  });
  await session.download({ url: 'https://api.example/a.bin', headers: secrets });
  if (input.killAt !== null) world.schedule([{ type: 'kill', at: input.killAt }]);
  await world.runUntilIdle({ limit: 60 * 60 * 1000 });
  const files = await diskFiles(world.disk, '/');
  return { world, violations: checkCredentials({ attempts: world.log.attempts, home: 'https://api.example', sensitive: Object.keys(secrets), secrets: Object.values(secrets), files }) };
}

/** Every file on the disk (the disk's own view, no process's), with its bytes. */
async function diskFiles(disk: LossyDisk, directory: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const visit = async (path: string, depth: number): Promise<void> => {
    const stat = await disk.fs.lstat(path);
    if (stat?.type === 'file') {
      const bytes = disk.readFile(path);
      if (bytes !== null) files.set(path, bytes);
    } else if (stat?.type === 'directory' && depth < 12) {
      for (const name of await disk.fs.readdir(path)) await visit(path === '/' ? `/${name}` : `${path}/${name}`, depth + 1);
    }
  };
  await visit(directory, 0);
  return files;
}

describe('security over generated worlds', () => {
  it(`${invariantTitle(20)}: every path written lies inside the session's store or exactly at a destination the app chose, whatever name the server suggests`, async () => {
    await fc.assert(featureProperty(20, namedWorlds, runNamed), { numRuns: runs });
  });

  it(`${invariantTitle(20)}: catches a ByteStore that writes beside the destination`, async () => {
    await featureBugIsCaught(20, namedWorlds.map((input) => ({ ...input, killAt: null })), runNamed, { byteStoreWritesBesideDestination: true }, 3);
  });

  it(`${invariantTitle(21)}: Authorization, Cookie and the app's sensitive headers never reach another origin after a redirect, nor any file`, async () => {
    await fc.assert(featureProperty(21, redirectWorlds, runRedirected), { numRuns: runs });
  });

  it(`${invariantTitle(21)}: catches a transport that keeps Authorization across a redirect`, async () => {
    await featureBugIsCaught(21, redirectWorlds.map((input) => ({ ...input, crossOrigin: true })), runRedirected, { transportKeepsAuthorization: true }, 3);
  });
});
