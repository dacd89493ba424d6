// The photo library in a simulated world: `pnpm start [seed]` runs the story and exits non-zero
// if a claim failed. The seed picks the photos and every random choice of the world: the same seed
// replays the same run.
import { tellStory } from './story.js';

const argument = process.argv[2];
const seed = argument === undefined ? 2024 : Number(argument);
if (!Number.isSafeInteger(seed)) {
  console.error(`usage: pnpm start [seed], where seed is an integer, not ${argument}`);
  process.exit(2);
}
const story = await tellStory(seed);
console.log(story.lines.join('\n'));
process.exitCode = story.ok ? 0 : 1;
