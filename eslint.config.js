// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// What keeps the core portable: no platform module, no clock, no randomness, no timer. Time, I/O
// and randomness reach the core only through its ports (architecture.md).
const coreBans = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: ['node:*'], message: 'The core is platform-free: reach the platform through a port.' },
        { group: ['fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'stream', 'buffer', 'timers', 'events', 'util'], message: 'The core is platform-free: reach the platform through a port.' },
      ],
    },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use the Clock port.' },
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the Clock port.' },
    { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use the Random port.' },
    { selector: "CallExpression[callee.name=/^(setTimeout|setInterval|setImmediate|queueMicrotask)$/]", message: 'Use the Clock port.' },
    { selector: "MemberExpression[object.name=/^(performance|process|window|document|navigator|globalThis)$/]", message: 'The core is platform-free: reach the platform through a port.' },
  ],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', 'bench/results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The simulator too: a world on a virtual clock must never read the real one.
    files: ['packages/core/src/**/*.ts', 'packages/simulator/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts', 'packages/simulator/src/**/*.test.ts'],
    rules: coreBans,
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
);
