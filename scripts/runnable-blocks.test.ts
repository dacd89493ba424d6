import { describe, expect, it } from 'vitest';
import { runnableBlocks } from './runnable-blocks.js';

const fence = '```';

describe('runnableBlocks', () => {
  it('runs ts blocks, skips `ts no-run` and other languages, and pairs a block with the `text output` after it', () => {
    const page = [
      '# Page',
      `${fence}ts`,
      "console.log('a');",
      fence,
      '',
      'It prints:',
      '',
      `${fence}text output`,
      'a',
      fence,
      `${fence}ts no-run`,
      'notRun();',
      fence,
      `${fence}sh`,
      'pnpm test',
      fence,
      `${fence}ts`,
      '// no output block follows',
      fence,
      `${fence}text`,
      'not an output block',
      fence,
    ].join('\n');
    expect(runnableBlocks(page)).toEqual([
      { code: "console.log('a');\n", line: 2, expectedOutput: 'a\n' },
      { code: '// no output block follows\n', line: 17, expectedOutput: null },
    ]);
  });

  it('keeps a shorter fence inside a longer one as content', () => {
    const page = [`${fence}\`ts`, 'const md = `', fence, '`;', `${fence}\``].join('\n');
    expect(runnableBlocks(page)).toEqual([{ code: `const md = \`\n${fence}\n\`;\n`, line: 1, expectedOutput: null }]);
  });
});
