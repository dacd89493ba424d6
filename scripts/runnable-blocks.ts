// Finds the code blocks of a Markdown page that must run, for the test that runs the docs' examples.

/** One fenced block of a Markdown page. */
interface CodeBlock {
  /** The first word of the info string (`ts`, `text`, `sh`...), or '' for a bare fence. */
  readonly language: string;
  /** The words after the language (`no-run`, `output`). */
  readonly flags: readonly string[];
  /** The block's content, ending with a newline. */
  readonly code: string;
  /** The 1-based line of the opening fence. */
  readonly line: number;
}

/** A `ts` block to run, with the `text output` block that follows it, if any. */
export interface RunnableBlock {
  readonly code: string;
  readonly line: number;
  /** What the program must print, or null when the page does not say. */
  readonly expectedOutput: string | null;
}

/**
 * Splits a Markdown page into its fenced blocks. A fence is three or more backticks at the start of a
 * line; it closes at a line of at least as many backticks and nothing else.
 */
function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const open = /^(`{3,})\s*(.*)$/.exec(lines[index] ?? '');
    if (open === null) continue;
    const [, fence = '```', info = ''] = open;
    const [language = '', ...flags] = info.trim().split(/\s+/).filter((word) => word !== '');
    const body: string[] = [];
    let close = index + 1;
    while (close < lines.length && !new RegExp(`^${fence}\`*\\s*$`).test(lines[close] ?? '')) {
      body.push(lines[close] ?? '');
      close += 1;
    }
    blocks.push({ language, flags, code: body.map((line) => `${line}\n`).join(''), line: index + 1 });
    index = close;
  }
  return blocks;
}

/**
 * The blocks of a page that must run: every `ts` block not marked `no-run`. A `text output` block
 * right after one (the next fenced block) is what it must print.
 *
 * @example
 * ```ts no-run
 * runnableBlocks('```ts\nconsole.log(1);\n```\n\n```text output\n1\n```\n');
 * // [{ code: 'console.log(1);\n', line: 1, expectedOutput: '1\n' }]
 * ```
 */
export function runnableBlocks(markdown: string): RunnableBlock[] {
  const blocks = codeBlocks(markdown);
  const runnable: RunnableBlock[] = [];
  blocks.forEach((block, index) => {
    if (block.language !== 'ts' || block.flags.includes('no-run')) return;
    const next = blocks[index + 1];
    const expectedOutput = next !== undefined && next.language === 'text' && next.flags.includes('output') ? next.code : null;
    runnable.push({ code: block.code, line: block.line, expectedOutput });
  });
  return runnable;
}
