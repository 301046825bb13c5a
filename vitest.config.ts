import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // oclif's this.log goes through console; vitest would swallow it from runCommand().stdout.
    disableConsoleIntercept: true,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests spawn real processes and sockets; two workers on a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
