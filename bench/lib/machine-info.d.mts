/** What a figure was measured on. */
export interface MachineInfo {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpu: string;
  readonly cores: number;
  readonly totalMemoryMiB: number;
  readonly freeMemoryMiB: number;
  readonly loadAverage: readonly number[];
}

/** Node and V8 versions, the CPU, cores, memory and load of this machine now. */
export function machineInfo(): MachineInfo;

/** The machine info as two printable lines. */
export function describeMachine(info: MachineInfo): string;
