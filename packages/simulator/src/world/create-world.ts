import {
  BgSessionError,
  createFileByteStore,
  createJournalStore,
  createSession,
  crashPoints,
  type CrashPoint,
  type Probe,
  type Session,
} from '@bgsession/core';
import { createNodeTestHasher } from '@bgsession/testing';
import { createVirtualClock } from '../clock/virtual-clock.js';
import { createLossyDisk } from '../disk/lossy-disk.js';
import { createSimNetwork } from '../network/sim-network.js';
import { processClock, processConnectivity, processFileSystem, processListener, processTransport } from '../process/process-ports.js';
import { ProcessLife } from '../process/process-life.js';
import { createSimulatorRandom } from '../random/simulator-random.js';
import { createSimServer } from '../servers/sim-server.js';
import { Trace } from '../trace/trace.js';
import { configuredLimits } from './configured-limits.js';
import { plantedByteStore, plantedConfiguration, plantedConnectivity, plantedTransport } from './planted-bugs.js';
import { recordingServedFiles } from './recording-served-files.js';
import { recordingTransport } from './recording-transport.js';
import { tracedSession } from './traced-session.js';
import { tracingListener } from './tracing-listener.js';
import { deliveryRecorder } from './delivery-recorder.js';
import { partLength, partLengths, sessionDirectoryName } from './part-lengths.js';
import { WorldLog } from './world-log.js';
import { worldStore } from './world-store.js';
import { worldViolations, type ServedFile, type SessionLimits } from './world-violations.js';
import type { ScheduledFault, World, WorldOptions, WorldSessionOptions } from './world-types.js';

/** One app process of the world. */
interface WorldProcess {
  readonly life: ProcessLife;
  readonly sessions: Map<string, Session>;
}

interface PointFault {
  readonly point: CrashPoint;
  /** The world's count of passes through the point at which it strikes. */
  readonly at: number;
  readonly type: 'kill' | 'powerLoss';
  readonly relaunchAfter: number | null;
}

const day = 24 * 60 * 60 * 1000;
const sessionsRoot = '/sessions';

/**
 * Creates a simulated world from one seed: a virtual clock, a lossy disk, a network with its
 * servers, and one app process running the shipped session runtime, journal Store and file
 * ByteStore on them. The same seed and the same calls give the same trace.
 *
 * @example
 * ```ts
 * const world = createWorld({ seed: 7 });
 * world.server('https://files.example').file('/a.bin', { content: generatedContent({ length: 8 << 20, seed: 1 }) });
 * const session = await world.openSession({ identifier: 'app' });
 * await session.download({ url: 'https://files.example/a.bin', destination: { type: 'path', path: '/downloads/a.bin', ifExists: 'replace' } });
 * world.schedule([{ type: 'kill', at: 2_000 }, { type: 'powerLoss', point: 'journal-append', pass: 5 }]);
 * await world.runUntilIdle();
 * expect(world.violations({ settled: true })).toEqual([]);
 * ```
 */
export function createWorld(options: WorldOptions): World {
  const random = createSimulatorRandom(options.seed);
  const clock = createVirtualClock(options.start === undefined ? {} : { start: options.start });
  const disk = createLossyDisk({ ...options.disk, random: random.fork('disk') });
  const network = createSimNetwork({ ...options.network, clock, random: random.fork('network') });
  const hasher = createNodeTestHasher();
  const opened = new Map<string, WorldSessionOptions>();
  const counts = Object.fromEntries(crashPoints.map((point) => [point, 0])) as Record<CrashPoint, number>;
  const pointFaults: PointFault[] = [];
  let generation = 1;
  let current: WorldProcess | null = { life: new ProcessLife(), sessions: new Map() };
  let rootReady = false;
  const trace = new Trace(clock, () => generation);
  const log = new WorldLog();
  // Subscribed before any session, so each change is logged before a session hears of it (#15).
  network.connectivity.subscribe((state) => log.networkChanges.push({ step: log.step(), monotonic: clock.monotonic(), state }));
  const planted = options.planted ?? {};
  const served: ServedFile[] = [];
  const limits = new Map<string, SessionLimits>();
  trace.add({ kind: 'launch', sessions: [] });

  function crash(type: 'kill' | 'powerLoss', point: CrashPoint | null, relaunchAfter: number | null): void {
    if (current === null) return;
    log.crashes.push({ step: log.step(), type, generation, parts: partLengths(disk, sessionsRoot, current.sessions, (session, id) => log.partKeyOf(session, id)) });
    current.life.die();
    current = null;
    if (type === 'kill') disk.kill();
    else disk.powerLoss();
    trace.add({ kind: type, point });
    if (relaunchAfter !== null) {
      clock.setTimer(relaunchAfter, () => {
        if (current === null) void world.relaunch().catch((error: unknown) => trace.add({ kind: 'note', text: `relaunch failed: ${describe(error)}` }));
      });
    }
  }

  function probeFor(life: ProcessLife): Probe {
    return {
      pass(point) {
        // The dead process's code may still run to its next await: it passes nothing more.
        if (life.state === 'dead') return;
        counts[point] += 1;
        const due = pointFaults.findIndex((fault) => fault.point === point && fault.at === counts[point]);
        if (due < 0) return;
        const [fault] = pointFaults.splice(due, 1);
        if (fault !== undefined) crash(fault.type, point, fault.relaunchAfter);
      },
    };
  }

  /**
   * Opens a session in `host`, rejecting when the process dies before the session is open (a
   * crash point that strikes during the open): the dead process's calls would never settle.
   */
  function open(host: WorldProcess, sessionOptions: WorldSessionOptions): Promise<Session> {
    return new Promise<Session>((resolve, reject) => {
      const forget = host.life.atDeath(() => {
        reject(new BgSessionError('StoreFailed', `The process died while opening the session ${sessionOptions.identifier}.`));
      });
      openIn(host, sessionOptions).then(
        (session) => {
          forget();
          resolve(session);
        },
        (error: unknown) => {
          forget();
          reject(error instanceof Error ? error : new BgSessionError('StoreFailed', describe(error)));
        },
      );
    });
  }

  async function openIn(host: WorldProcess, sessionOptions: WorldSessionOptions): Promise<Session> {
    const { life } = host;
    const fs = processFileSystem(disk.fs, life);
    if (!rootReady) {
      await fs.mkdir(sessionsRoot);
      await fs.fsyncDir('/');
      rootReady = true;
    }
    const directory = fs.join(sessionsRoot, sessionDirectoryName(sessionOptions.identifier));
    await fs.mkdir(directory);
    await fs.fsyncDir(sessionsRoot);
    const clockOfProcess = processClock(clock, life);
    const probe = probeFor(life);
    const transport = network.createTransport(sessionOptions.transport);
    const configuration = { ...sessionOptions.configuration, identifier: sessionOptions.identifier };
    const recordContext = { log, session: sessionOptions.identifier, clock, generation: () => generation };
    limits.set(sessionOptions.identifier, configuredLimits(configuration));
    life.atDeath(() => transport.close());
    const session = await createSession({
      ports: {
        store: worldStore(
          createJournalStore({
            fs,
            directory: fs.join(directory, 'store'),
            clock: clockOfProcess,
            probe,
            ...(sessionOptions.compaction === undefined ? {} : { compaction: sessionOptions.compaction }),
          }),
          { ...recordContext, planted, trace },
        ),
        byteStore: plantedByteStore(createFileByteStore({ fs, directory: fs.join(directory, 'bytes'), probe }), planted, fs),
        transport: processTransport(plantedTransport(recordingTransport(transport, { ...recordContext, connectivity: network.connectivity, running: () => life.state === 'running' }), planted), life),
        clock: clockOfProcess,
        random: random.fork(`process-${generation}-${sessionOptions.identifier}`),
        connectivity: processConnectivity(plantedConnectivity(network.connectivity, planted), life),
        hasher,
        probe,
      },
      configuration: plantedConfiguration(configuration, planted),
      ...(planted.schedulerWithoutAging === true ? { scheduler: { agingWindow: Number.POSITIVE_INFINITY } } : {}),
      hostOptions: {
        listener: processListener(
          tracingListener(
            options.keepDeliveredFiles === false ? sessionOptions.listener : deliveryRecorder(sessionOptions.listener, { log, disk, session: sessionOptions.identifier }),
            trace,
            sessionOptions.identifier,
          ),
          life,
        ),
        ...(sessionOptions.durability === undefined ? {} : { durability: sessionOptions.durability }),
        ...(sessionOptions.credentials === undefined ? {} : { credentials: sessionOptions.credentials }),
      },
    });
    // A closed session leaves the process, so the app may open it again before any relaunch.
    const traced = tracedSession(session, trace, () => {
      if (host.sessions.get(sessionOptions.identifier) === traced) host.sessions.delete(sessionOptions.identifier);
    });
    host.sessions.set(sessionOptions.identifier, traced);
    return traced;
  }

  function after(at: number, run: () => void): void {
    clock.setTimer(Math.max(0, at - clock.monotonic()), run);
  }

  const world: World = {
    seed: options.seed,
    clock,
    random,
    disk,
    network,
    trace,
    log,
    get generation() {
      return generation;
    },
    get running() {
      return current !== null;
    },
    get crashPointCounts() {
      return { ...counts };
    },

    server(origin) {
      const server = createSimServer({ origin, clock });
      network.addServer(server);
      return recordingServedFiles(server, served);
    },

    async openSession(sessionOptions) {
      if (current === null) throw new BgSessionError('InvalidArgument', 'No process runs: relaunch the world first.');
      if (opened.has(sessionOptions.identifier) && current.sessions.has(sessionOptions.identifier)) {
        throw new BgSessionError('SessionInUse', `The session ${sessionOptions.identifier} is already open in this process.`);
      }
      // Known before the open resolves: a kill during it must still relaunch the session, as the
      // app's code would open it again at launch. An open its live process refused (bad options)
      // leaves what was there before.
      const before = opened.get(sessionOptions.identifier);
      const host = current;
      opened.set(sessionOptions.identifier, sessionOptions);
      try {
        return await open(host, sessionOptions);
      } catch (error) {
        if (current === host && opened.get(sessionOptions.identifier) === sessionOptions) {
          if (before === undefined) opened.delete(sessionOptions.identifier);
          else opened.set(sessionOptions.identifier, before);
        }
        throw error;
      }
    },

    session: (identifier) => current?.sessions.get(identifier),

    async advance(ms) {
      await clock.advance(ms);
    },

    async runUntilIdle(runOptions = {}) {
      const start = clock.monotonic();
      const end = start + (runOptions.limit ?? 30 * day);
      for (let step = 0; step < 10_000_000; step += 1) {
        await clock.settle();
        if (runOptions.until?.() === true) break;
        const next = clock.nextDueAt();
        if (next === null) break;
        if (next > end) {
          await clock.advanceTo(end);
          break;
        }
        await clock.advanceTo(next);
      }
      return clock.monotonic() - start;
    },

    kill: () => crash('kill', null, null),
    powerLoss: () => crash('powerLoss', null, null),

    suspend() {
      if (current === null || current.life.state !== 'running') return;
      current.life.suspend();
      trace.add({ kind: 'suspend' });
    },

    resume() {
      if (current === null || current.life.state !== 'suspended') return;
      trace.add({ kind: 'resume' });
      current.life.resume();
    },

    async relaunch() {
      if (current !== null) crash('kill', null, null);
      generation += 1;
      const host: WorldProcess = { life: new ProcessLife(), sessions: new Map() };
      current = host;
      trace.add({ kind: 'launch', sessions: [...opened.keys()] });
      const sessions: Session[] = [];
      for (const sessionOptions of opened.values()) sessions.push(await open(host, sessionOptions));
      return sessions;
    },

    schedule(faults: readonly ScheduledFault[]) {
      const base = { ...counts };
      for (const fault of faults) {
        switch (fault.type) {
          case 'kill':
          case 'powerLoss': {
            const relaunchAfter = fault.relaunchAfter === undefined ? 1000 : fault.relaunchAfter;
            if ('point' in fault) pointFaults.push({ point: fault.point, at: counts[fault.point] + fault.pass, type: fault.type, relaunchAfter });
            else after(fault.at, () => crash(fault.type, null, relaunchAfter));
            break;
          }
          case 'partition':
            network.addPeriod({ kind: 'offline', from: fault.from, until: fault.until });
            break;
          case 'expensive':
          case 'constrained':
            network.addPeriod({ kind: fault.type, from: fault.from, until: fault.until });
            break;
          case 'diskFull':
            after(fault.from, () => {
              trace.add({ kind: 'fault', description: 'disk full' });
              disk.setCapacity(disk.usedBytes());
            });
            if (fault.until !== null) {
              after(fault.until, () => {
                trace.add({ kind: 'fault', description: 'disk space back' });
                disk.setCapacity(options.disk?.capacity ?? null);
              });
            }
            break;
          case 'suspend':
            after(fault.from, () => world.suspend());
            after(fault.until, () => world.resume());
            break;
          case 'clockJump':
            after(fault.at, () => {
              trace.add({ kind: 'fault', description: `wall clock jumps ${fault.by} ms` });
              clock.jump(fault.by);
            });
            break;
        }
      }
      return base;
    },

    liveTasks() {
      const live = new Map<string, Set<number>>();
      for (const [identifier, session] of current?.sessions ?? []) live.set(identifier, new Set(session.tasks().map((task) => task.taskIdentifier)));
      return live;
    },

    violations: (checkOptions = {}) =>
      worldViolations({ trace, log, liveTasks: world.liveTasks(), settled: checkOptions.settled ?? false, served, limits, readPart: (session, partKey) => partLength(disk, sessionsRoot, session, partKey) }),
  };
  return world;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
