import type { RouteScript } from './route-script.js';
import type { ServerFault } from './server-fault.js';

/**
 * A {@link RouteScript} from a table: attempt n gets the faults at key n, every other attempt the
 * compliant answer (or `otherwise`).
 *
 * @example
 * ```ts
 * server.file('/a.bin', {
 *   content,
 *   script: faultsByAttempt({
 *     1: { type: 'cut', afterBytes: 100_000 },
 *     2: [{ type: 'status', status: 503, retryAfter: '120' }],
 *     3: { type: 'newVersion' },
 *   }),
 * });
 * ```
 */
export function faultsByAttempt(
  table: Readonly<Record<number, ServerFault | readonly ServerFault[]>>,
  otherwise?: ServerFault | readonly ServerFault[],
): RouteScript {
  return (_request, attempt) => table[attempt] ?? otherwise;
}
