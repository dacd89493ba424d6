import { readFile } from 'node:fs/promises';
import { uptime } from 'node:os';

const minuteMs = 60_000;

/**
 * An identity of the running OS boot, which changes when the machine restarts: Linux's
 * `/proc/sys/kernel/random/boot_id`; elsewhere (or where `/proc` is hidden) the boot time, now
 * minus `os.uptime()`, rounded to a minute so that clock jitter between two reads does not change it.
 * The rounding can still differ between two processes of one boot when the boot time lies close to
 * a rounding edge; that reads as a restart, which only makes a ByteStore distrust unsynced bytes.
 *
 * @example
 * ```ts
 * await readBootIdentity('linux'); // e.g. '3f1c9c2e-5d0b-4f0e-9d38-7c3e1b2a4f60'
 * await readBootIdentity('darwin'); // e.g. '1767000000000'
 * ```
 */
export async function readBootIdentity(platform: NodeJS.Platform): Promise<string> {
  if (platform === 'linux' || platform === 'android') {
    const bootId = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
      (text) => text.trim(),
      () => '',
    );
    if (bootId !== '') return bootId;
  }
  const bootTime = Date.now() - uptime() * 1000;
  return String(Math.round(bootTime / minuteMs) * minuteMs);
}
