import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const decisionsDir = fileURLToPath(new URL('../docs/decisions/', import.meta.url));

describe('docs/decisions/README.md', () => {
  const index = readFileSync(`${decisionsDir}README.md`, 'utf8');
  const records = readdirSync(decisionsDir).filter((name) => /^\d{4}-.+\.md$/.test(name)).sort();

  it('links every decision record (add a line to the index for a new ADR)', () => {
    const missing = records.filter((name) => !index.includes(`](${name})`));
    expect(missing).toEqual([]);
  });

  it('links no record that does not exist', () => {
    const linked = [...index.matchAll(/\]\((\d{4}-[^)]+\.md)\)/g)].map((match) => match[1]);
    expect(linked.filter((name) => name === undefined || !records.includes(name))).toEqual([]);
  });
});
