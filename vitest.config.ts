import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real clients and real servers: generous limits, and at most two files at once on 2 cores.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['src-server/**/*.test.ts', 'src-main/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      {
        // GUI components in a DOM (happy-dom) against a fake AppApi; the real browser is test/e2e.
        extends: true,
        test: {
          name: 'renderer',
          include: ['src-renderer/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['src-renderer/src/test/setup.ts'],
        },
      },
    ],
  },
});
