import { performance } from 'node:perf_hooks';
import { createContentPattern, createWorld, generatedContent, type ScheduledFault } from '@bgsession/simulator';

/** The network of a simulated day: the world's default host, or a bandwidth that keeps the day busy. */
export type DayNetwork = 'default' | 'busy';

/** What one simulated day did, and how long it took for real. */
export interface SimulatedDay {
  readonly wallMs: number;
  readonly virtualMs: number;
  readonly downloads: number;
  readonly succeeded: number;
  readonly bytes: number;
  readonly kills: number;
  readonly requests: number;
  readonly violations: number;
}

const MiB = 1024 * 1024;
const hour = 60 * 60 * 1000;

/**
 * B7's fixed workload (design/benchmarks.md): `downloads` downloads of 1-`maxMiB` MiB (seeded)
 * enqueued at the start, a connection drop per 32 MiB on average, 10% of every hour offline, a
 * host kill every virtual hour (relaunched a second later), over `hours` virtual hours. The app
 * deletes each file once it is told of it, as an app that moves it away would.
 */
export async function simulateDay(options: { readonly seed: number; readonly downloads: number; readonly maxMiB: number; readonly hours: number; readonly network: DayNetwork }): Promise<SimulatedDay> {
  // The app deletes each file as it is told of it; the world need not keep copies for #6.
  const world = createWorld({ seed: options.seed, keepDeliveredFiles: false });
  const pattern = createContentPattern();
  const server = world.server('https://files.example');
  const sizes: number[] = [];
  for (let index = 0; index < options.downloads; index += 1) {
    const length = MiB + world.random.below((options.maxMiB - 1) * MiB + 1);
    sizes.push(length);
    server.file(`/f/${index}`, { content: generatedContent({ seed: index + 1, length, pattern }) });
  }
  const total = sizes.reduce((sum, size) => sum + size, 0);
  // `busy`: the bandwidth that moves the workload in three quarters of the day, so it is busy
  // throughout (about 512 KiB/s at full size); `default`: the world's default host (100 Mbit/s).
  const bandwidth = options.network === 'busy' ? Math.ceil(total / ((0.75 * options.hours * hour) / 1000)) : undefined;
  world.network.configureHost('files.example', { latency: 30, dropRate: 1 / 32, ...(bandwidth === undefined ? {} : { bandwidth }) });
  await world.disk.fs.mkdir('/downloads');
  await world.disk.fs.fsyncDir('/');
  let succeeded = 0;
  const session = await world.openSession({
    identifier: 'b7',
    configuration: { retry: { base: 2_000, cap: 60_000, maxAttempts: 1_000 }, timeoutForResource: 7 * 24 * hour },
    listener: {
      async downloadDidFinish(event) {
        succeeded += 1;
        // Synced, or the disk must keep the file's bytes for a power loss that could undo the unlink.
        await world.disk.fs.unlink(event.location);
        await world.disk.fs.fsyncDir('/downloads');
      },
    },
  });
  for (let index = 0; index < options.downloads; index += 1) {
    await session.download({ url: `https://files.example/f/${index}`, destination: { type: 'path', path: `/downloads/${index}`, ifExists: 'replace' } });
  }
  const faults: ScheduledFault[] = [];
  for (let h = 0; h < options.hours; h += 1) {
    faults.push({ type: 'partition', from: h * hour + 20 * 60 * 1000, until: h * hour + 26 * 60 * 1000 });
    faults.push({ type: 'kill', at: (h + 1) * hour - 1, relaunchAfter: 1000 });
  }
  world.schedule(faults);
  const start = performance.now();
  const virtualMs = await world.runUntilIdle({ limit: options.hours * hour });
  const wallMs = performance.now() - start;
  return {
    wallMs,
    virtualMs,
    downloads: options.downloads,
    succeeded,
    bytes: total,
    kills: world.trace.ofKind('kill').length,
    requests: world.network.trace.filter((event) => event.type === 'request').length,
    violations: world.violations().length,
  };
}
