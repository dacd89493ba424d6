// Plain JavaScript so that both the runner (run.mjs, before tsx is loaded) and the TypeScript
// benchmarks print and record the same description of the machine.
import os from 'node:os';

/**
 * What a figure was measured on: Node and V8 versions, the CPU, cores, memory and load.
 *
 * @example
 * ```js
 * const info = machineInfo();
 * console.log(describeMachine(info));
 * ```
 */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    freeMemoryMiB: Math.round(os.freemem() / 2 ** 20),
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

/**
 * The machine info as two printable lines.
 *
 * @example
 * ```js
 * console.log(describeMachine(machineInfo()));
 * ```
 */
export function describeMachine(info) {
  return [
    `Node ${info.node} (V8 ${info.v8}) on ${info.platform} ${info.arch}`,
    `${info.cores} x ${info.cpu}, ${info.totalMemoryMiB} MiB RAM (${info.freeMemoryMiB} free), load ${info.loadAverage.join(' ')}`,
  ].join('\n');
}
