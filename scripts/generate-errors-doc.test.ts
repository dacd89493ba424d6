import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '@bgsession/core';
import { errorsDocPath, renderErrorsDoc } from './generate-errors-doc.js';

describe('docs/reference/errors.md', () => {
  it('is what the code table generates (run `pnpm docs:errors` after changing the table)', async () => {
    const onDisk = await readFile(errorsDocPath, 'utf8').catch(() => '(missing)');
    // A plain comparison first, so the failure says what to do rather than only printing a diff.
    if (onDisk !== renderErrorsDoc()) {
      expect.fail('docs/reference/errors.md is out of date with packages/core/src/errors/error-codes.ts: run `pnpm docs:errors`.');
    }
  });

  it('has one row per code of the table', () => {
    const page = renderErrorsDoc();
    for (const code of Object.keys(errorCodes)) expect(page).toContain(`| \`${code}\` |`);
  });
});
