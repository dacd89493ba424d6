import { defineConfig } from 'vitest/config';

// One vitest run covers every package. The custom condition makes `@bgsession/*` imports resolve
// to each package's TypeScript sources, so tests run without a build.
export default defineConfig({
  resolve: { conditions: ['@bgsession/source'] },
  ssr: { resolve: { conditions: ['@bgsession/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Property tests start from a fixed seed unless a long run or BGSESSION_PROPERTY_SEED says otherwise (ADR 24).
    setupFiles: ['scripts/property-seed.ts'],
  },
});
