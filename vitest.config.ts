import { defineConfig } from 'vitest/config';

// One runner for all TypeScript. Tests sit beside the code they test. Suites that start real
// protocol peers, child processes or Chromium get longer timeouts in their own files.
export default defineConfig({
  test: {
    include: [
      'native/**/*.test.ts',
      'renderer/**/*.test.ts',
      'renderer/**/*.test.tsx',
      'electron/**/*.test.ts',
      'models/**/*.test.ts',
      'e2e/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
