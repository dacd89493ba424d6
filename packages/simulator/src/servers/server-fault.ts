import type { Framing, HangPlan, ResetPlan } from './response-plan.js';
import type { SimContent } from './sim-content.js';

/**
 * A ready-made server behaviour, applied to the answer a compliant server would give (faults
 * A and B of faults.md). A script returns one, a list (applied in order), or a whole plan.
 *
 * - `status`: answer this status instead (503 or 429 with `retryAfter`, 404, 416 with a
 *   `content-range` header...), with a short text body.
 * - `newVersion`: the file changes before this request is answered (by default to
 *   `content.nextVersion()`); the answer is then the compliant one for the new version.
 * - `ignoreRange`: answer 200 with the whole content whatever the Range.
 * - `rangeShift`: a 206 whose range starts `by` bytes away from the one asked (honestly labelled).
 * - `otherVersion`: the body is another version's bytes (a stale cache node), labelled with that
 *   version's validator unless `keepValidator` (a lie only integrity can catch).
 * - `header`: sets a header, or removes it with `value: null` (a bad Content-Range, no ETag...).
 * - `encoding`: sends `content-encoding` whatever the client accepts (the bytes are unchanged).
 * - `cut`: the server closes the connection after `afterBytes` body bytes.
 * - `stall`: the server goes silent after `afterBytes` body bytes.
 * - `drip`: the server sends at most `bytesPerSecond`.
 * - `framing`: frames the body by length, chunks or connection close.
 * - `delay`: the head leaves `ms` later.
 * - `redirect`: answers a redirect to `location`.
 * - `reset`, `hang`: no response (the plans of the same name).
 */
export type ServerFault =
  | { readonly type: 'status'; readonly status: number; readonly retryAfter?: string; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  | { readonly type: 'newVersion'; readonly content?: SimContent }
  | { readonly type: 'ignoreRange' }
  | { readonly type: 'rangeShift'; readonly by: number }
  | { readonly type: 'otherVersion'; readonly keepValidator?: boolean }
  | { readonly type: 'header'; readonly name: string; readonly value: string | null }
  | { readonly type: 'encoding'; readonly coding: string }
  | { readonly type: 'cut'; readonly afterBytes: number }
  | { readonly type: 'stall'; readonly afterBytes: number }
  | { readonly type: 'drip'; readonly bytesPerSecond: number }
  | { readonly type: 'framing'; readonly framing: Framing }
  | { readonly type: 'delay'; readonly ms: number }
  | { readonly type: 'redirect'; readonly location: string; readonly status?: number }
  | ResetPlan
  | HangPlan;
