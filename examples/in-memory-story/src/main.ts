// The whole story on the in-memory adapters and a manual clock: `pnpm --filter @bgsession/example-in-memory-story start`
// from the repository root (scripts/with-tsx.mjs runs this file with tsx).
import { formatBytes } from './format-bytes.js';
import { runStory, storySettings } from './run-story.js';
import { storyClaims } from './story-claims.js';

const facts = await runStory().catch((error: unknown) => {
  console.error(`the story stopped: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
const claims = storyClaims(facts);

const [, cut, resumed] = facts.attempts;
const served = facts.attempts.reduce((sum, a) => sum + a.bodyBytes, 0);
const kept = cut?.bodyBytes ?? 0;
const fetchedAgain = served - facts.size;
const finishId = facts.deliveries[0]?.eventId ?? '?';
const returned = facts.deliveries.filter((d) => d.returned).length;
const row = (name: string, text: string) => console.log(`  ${name.padEnd(11)} ${text}`);

console.log('');
console.log('summary');
row('attempts', `${facts.attempts.length}: ${facts.attempts.map((a) => (a.status === null ? 'refused' : `${a.status} (${formatBytes(a.bodyBytes)} bytes)`)).join(', ')}`);
row('backoffs', `${facts.backoffs.map((ms) => `${ms} ms`).join(', ')} (full jitter from the Random port, seed ${storySettings.randomSeed})`);
row('resume', `Range ${resumed?.headers['range'] ?? 'none'}, If-Range ${resumed?.headers['if-range'] ?? 'none'}: ${formatBytes(kept)} bytes kept, ${formatBytes(Math.max(0, fetchedAgain))} fetched again`);
row('server', `sent ${formatBytes(served)} body bytes for a ${formatBytes(facts.size)}-byte file`);
row('file', `sha256 ${facts.fileSha256 === facts.contentSha256 ? 'ok' : 'MISMATCH'} (${(facts.fileSha256 ?? 'no file').slice(0, 16)}..., node:crypto)`);
row('events', `${facts.deliveries.length} deliveries of ${new Set(facts.deliveries.map((d) => d.eventId)).size} events (${finishId.slice(0, 8)}... twice), ${returned} acknowledged, ${facts.thirdHostDeliveries} after that`);

const failed = claims.filter((c) => !c.held);
if (failed.length === 0) {
  console.log(`all ${claims.length} claims held`);
} else {
  for (const c of failed) console.error(`claim failed: ${c.claim}`);
  process.exitCode = 1;
}
